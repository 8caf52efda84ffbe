// connkit-wasm's memory of built forms, imported by the form module (wasm-bindgen copies this
// file into the package's snippets/): the rules of each form buildForm built (a text only the
// module reads), by the form object it returned, so that validateConnectionConfig given that
// object checks values without building the form again. A WeakMap: when the app drops the form
// object, its rules go too. No rule lives here.
// Each form also gets a number, never reused, by which the module keeps a few forms' decoded rules.
const forms = new WeakMap();
let last = 0;

export function keepForm(view, code) {
  forms.set(view, { code, id: ++last });
}

export function keptForm(view) {
  const kept = typeof view === 'object' && view !== null ? forms.get(view) : undefined;
  return kept === undefined ? undefined : kept.code;
}

export function keptFormId(view) {
  const kept = typeof view === 'object' && view !== null ? forms.get(view) : undefined;
  return kept === undefined ? 0 : kept.id;
}

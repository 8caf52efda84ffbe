// connkit-wasm's memory of built forms, imported by the form module (wasm-bindgen copies this
// file into the package's snippets/): the rules of each form buildForm built (a text only the
// module reads), by the form object it returned, so that validateConnectionConfig given that
// object checks values without building the form again. A WeakMap: when the app drops the form
// object, its rules go too. No rule lives here.
const forms = new WeakMap();

export function keepForm(view, code) {
  forms.set(view, code);
}

export function keptForm(view) {
  return typeof view === 'object' && view !== null ? forms.get(view) : undefined;
}

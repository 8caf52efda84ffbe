// connkit-wasm's JavaScript helpers, imported by the wasm module (wasm-bindgen copies this file
// into the package's snippets/). They only build result objects: no rule lives here. Object
// literals give every result the same hidden class, which keeps callers fast. (`regexp.js` holds
// the RegExp runner, which only the form module imports.)

export function ok(value) {
  return { ok: true, value };
}

export function okWarn(value, warnings) {
  return { ok: true, value, warnings };
}

export function fail(issues) {
  return { ok: false, issues };
}

export function issue(code, path, message, severity) {
  return { code, path, message, severity };
}

// An own, enumerable data property, even for "__proto__" (plain assignment would set the prototype).
export function put(object, key, value) {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

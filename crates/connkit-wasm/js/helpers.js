// connkit-wasm's JavaScript helpers, imported by the wasm module (wasm-bindgen copies this file
// into the package's snippets/). They only build result objects and run RegExp: no rule lives
// here. Object literals give every result the same hidden class, which keeps callers fast.

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

// `new RegExp(pattern).test(input)`: true or false, or the SyntaxError's message when the
// pattern is not a regular expression. Compiled patterns are cached (providers.yaml has ~250).
const compiled = new Map();
export function regexpTest(pattern, input) {
  let re = compiled.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern);
    } catch (e) {
      re = String(e && e.message);
    }
    if (compiled.size >= 1024) compiled.clear();
    compiled.set(pattern, re);
  }
  return typeof re === 'string' ? re : re.test(input);
}

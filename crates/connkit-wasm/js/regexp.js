// connkit-wasm's RegExp runner, imported by the wasm modules that check `pattern` fields
// (wasm-bindgen copies this file into the package's snippets/): the engine's own RegExp, so a
// pattern behaves as it does in Connect UI. No rule lives here.

// `new RegExp(pattern)`, or the SyntaxError's message when the pattern is not a regular expression.
export function compile(pattern) {
  try {
    return new RegExp(pattern);
  } catch (e) {
    return String(e && e.message);
  }
}

// `new RegExp(pattern).test(input)`: true or false, or the SyntaxError's message when the
// pattern is not a regular expression. Compiled patterns are cached (providers.yaml has ~250).
const compiled = new Map();
export function regexpTest(pattern, input) {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = compile(pattern);
    if (compiled.size >= 1024) compiled.clear();
    compiled.set(pattern, re);
  }
  return typeof re === 'string' ? re : re.test(input);
}

// The fast path of `validateTags`: one crossing into wasm and, for valid tags, a number back.
// A plain object whose keys and values are strings (the common case) is packed into one string
// (`key \0 value \0 key \0 value`) and checked by the wasm module's `validateTagsPacked`; its
// answer is 0 (valid and already normal: the value is a copy of the input), 1 (valid: the
// normalised pairs are fetched with `takePacked`) or 2 (invalid: the packed issues are fetched).
// Anything else (non-string values, proxies that throw, separators in the text) goes to the full
// reader in wasm, which gives the same results for everything. No rule lives here.

const SEP = '\0';
const FIELD = '\x01';

function put(object, key, value) {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

function pairsObject(text) {
  const out = {};
  if (text === '') return out;
  const parts = text.split(SEP);
  for (let i = 0; i + 1 < parts.length; i += 2) put(out, parts[i], parts[i + 1]);
  return out;
}

function packedIssues(text) {
  return text.split(SEP).map((one) => {
    const [code, severity, message, ...path] = one.split(FIELD);
    return { code, path, message, severity };
  });
}

export function fastValidateTags(glue) {
  const full = glue.validateTags;
  const packedCheck = glue.validateTagsPacked;
  const take = glue.takePacked;
  return function validateTags(input) {
    if (typeof input !== 'object' || input === null) return full(input);
    let keys;
    const values = [];
    let packed = '';
    try {
      if (Array.isArray(input)) return full(input);
      keys = Object.keys(input);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        const value = input[key];
        if (typeof value !== 'string' || key.includes(SEP) || key.includes(FIELD) || value.includes(SEP) || value.includes(FIELD)) {
          return full(input);
        }
        values.push(value);
        packed += i === 0 ? key + SEP + value : SEP + key + SEP + value;
      }
    } catch {
      return full(input);
    }
    const status = packedCheck(packed, keys.length);
    if (status === 0) {
      const value = {};
      for (let i = 0; i < keys.length; i++) put(value, keys[i], values[i]);
      return { ok: true, value };
    }
    if (status === 1) return { ok: true, value: pairsObject(take()) };
    return { ok: false, issues: packedIssues(take()) };
  };
}

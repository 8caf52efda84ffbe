// The fast path of `validateTags`: the tags go into the wasm module's buffer as UTF-8 bytes and
// a status number comes back (protocol: crates/connkit-wasm/src/api/tags_buffer.rs). Valid tags
// come back as a new object holding the caller's own strings (keys the module lowercased are
// read back from the buffer); issues as records whose messages are fetched once per kind.
// Anything the buffer cannot carry (non-plain values, more than 32 keys, long text, proxies or
// getters that throw, a getter that itself calls validateTags) goes to the full reader in wasm,
// which gives the same results. No rule lives here: every verdict, normalised key and message
// is the module's.

const VALID = 0;
const LOWERCASED = 1;
const INVALID = 2;
const MAX_ENTRIES = 16;
const RECORD = 6;
const MAX_ISSUES = 6 * MAX_ENTRIES + 1;
const HEAD = 4 * (1 + RECORD * MAX_ISSUES);
const DATA = HEAD + 8 * MAX_ENTRIES;
const SIZE = 64 * 1024;
const NOT_STRING = 0x80000000;
const NO_ENTRY = 0xffffffff;
const NAME = 3;
const SEVERITY = ['error', 'warning'];

function put(object, key, value) {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    object[key] = value;
  }
}

export function fastValidateTags(glue, memory) {
  const full = glue.validateTags;
  const check = glue.tagsCheck;
  const base = glue.tagsBuffer();
  const codes = glue.errorCodes();
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const messages = new Map();
  let generation = 0;
  const normalKeys = new Map();
  let bytes = new Uint8Array(memory.buffer, base, SIZE);
  let words = new Uint32Array(memory.buffer, base, SIZE / 4);
  const keys = new Array(MAX_ENTRIES);
  const values = new Array(MAX_ENTRIES);
  let busy = false;

  // Writes `text` at `at` as UTF-8; the end, or -1 if it does not fit.
  function write(text, at) {
    const n = text.length;
    if (at + n > SIZE) return -1;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        if (at - i + 3 * n > SIZE) return -1;
        return at - i + encoder.encodeInto(text, bytes.subarray(at - i)).written;
      }
      bytes[at++] = c;
    }
    return at;
  }

  // A key the module lowercased, read back from the buffer; remembered by the key it came from
  // (the same key always gives the same normal form, and apps use a handful of keys).
  function normalKey(key, at, length) {
    let normal = normalKeys.get(key);
    if (normal === undefined) {
      normal = String.fromCharCode.apply(null, bytes.subarray(at, at + length));
      if (normalKeys.size >= 1024) normalKeys.clear();
      normalKeys.set(key, normal);
    }
    return normal;
  }

  // Encodes the entries; their count, or -1 when the buffer cannot carry them.
  function encode(input) {
    if (Array.isArray(input)) return -1;
    const own = Object.keys(input);
    const n = own.length;
    if (n > MAX_ENTRIES) return -1;
    let at = DATA;
    for (let i = 0; i < n; i++) {
      const key = own[i];
      const value = input[key];
      keys[i] = key;
      values[i] = value;
      let end = write(key, at);
      if (end < 0) return -1;
      const head = HEAD / 4 + 2 * i;
      words[head] = end - at;
      at = end;
      if (typeof value === 'string') {
        end = write(value, at);
        if (end < 0) return -1;
        words[head + 1] = end - at;
        at = end;
      } else if (typeof value === 'number') {
        words[head + 1] = NOT_STRING | 1;
      } else if (typeof value === 'boolean') {
        words[head + 1] = NOT_STRING | 2;
      } else if (value === null) {
        words[head + 1] = NOT_STRING | 3;
      } else {
        return -1;
      }
    }
    return n;
  }

  // The messages seen so far, by code and detail (the module says equal ones share a message).
  // Names are numbers in the module's name table; a new table generation forgets them all.
  function message(i, w) {
    const kind = words[w + 3];
    const a = words[w + 4];
    if (kind === NAME && words[w + 5] !== generation) {
      messages.clear();
      generation = words[w + 5];
    }
    const key = a < 0x100000 ? (words[w] * 8 + kind) * 0x100000 + a : -1;
    let text = messages.get(key);
    if (text === undefined) {
      text = decoder.decode(bytes.subarray(DATA, DATA + glue.tagsMessage(i)));
      if (key >= 0) messages.set(key, text);
    }
    return text;
  }

  function issues() {
    const count = words[0];
    const out = new Array(count);
    for (let i = 0; i < count; i++) {
      const w = 1 + RECORD * i;
      const entry = words[w + 2];
      out[i] = {
        code: codes[words[w]],
        path: entry === NO_ENTRY ? [] : [keys[entry]],
        message: message(i, w),
        severity: SEVERITY[words[w + 1]],
      };
    }
    return out;
  }

  return function validateTags(input) {
    if (typeof input !== 'object' || input === null) return full(input);
    // The views go stale when the module's memory grows.
    if (bytes.byteLength === 0) {
      bytes = new Uint8Array(memory.buffer, base, SIZE);
      words = new Uint32Array(memory.buffer, base, SIZE / 4);
    }
    if (busy) return full(input);
    let n;
    busy = true;
    try {
      n = encode(input);
    } catch {
      n = -1;
    } finally {
      busy = false;
    }
    if (n < 0) return full(input);
    const status = check(n);
    if (status === VALID || status === LOWERCASED) {
      const changed = status === LOWERCASED ? words[0] : 0;
      const value = {};
      let at = DATA;
      for (let i = 0; i < n; i++) {
        const keyLength = words[HEAD / 4 + 2 * i];
        const key = changed & (1 << i) ? normalKey(keys[i], at, keyLength) : keys[i];
        put(value, key, values[i]);
        at += keyLength + words[HEAD / 4 + 2 * i + 1];
      }
      return { ok: true, value };
    }
    return status === INVALID ? { ok: false, issues: issues() } : full(input);
  };
}

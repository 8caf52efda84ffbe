// How `validateTags` reaches the rule: the tags go into the wasm module's buffer as UTF-8 bytes
// (a key the module has seen goes as its number) and a status number comes back (protocol:
// crates/connkit-wasm/src/api/tags_buffer.rs). Valid tags come back as a new object holding the
// caller's own strings; keys the module lowercased are read back once and remembered; issues
// come back as records whose messages are fetched once per code and detail. Every property is
// read exactly once, here, before the module runs. No rule lives here: every verdict, normal
// key and message is the module's. tests/node/fast-path.test.mjs holds the answers equal to the
// module's full reader (`glue.validateTags`), which is only used if the buffer ever disagrees.
//
// Two things about Node 20's V8 shape this file. V8 inlines calls into wasm into optimized
// JavaScript, and crashes (a fatal error in Deoptimizer::DoComputeBuiltinContinuation) when it
// has to deoptimize such a caller while the call is running: that happens when the wasm code
// calls back into JavaScript that changes an object shape the caller relies on, or when the
// module's memory grows (the first detached ArrayBuffer invalidates optimized code). So no call
// made here runs JavaScript (the full reader, which does, is only reached from a getter that
// calls validateTags, or if the buffer ever disagrees), and
// the memory is grown by zero pages once at start, which detaches the first buffer before
// anything is optimized.

const VALID = 0;
const LOWERCASED = 1;
const INVALID = 2;
const RECORD = 6;
const NOT_STRING = 0x80000000;
const KEY_ID = 0x80000000;
const NOT_OBJECT = 0x80000000;
const NO_ENTRY = 0xffffffff;
const NAME = 3;
const SEVERITY = ['error', 'warning'];
// Kinds of values (indexes of the module's TYPES).
const UNDEFINED = 0;
const NULL = 1;
const BOOLEAN = 2;
const NUMBER = 3;
const ARRAY = 5;
const OBJECT = 6;
const OTHER = 8;
// Most messages remembered.
const MAX_REMEMBERED = 1024;
// A value whose getter threw: read as a value of no JSON type.
const THREW = Symbol('threw');

const head = (n) => 8 + 4 * RECORD * (6 * n + 1);

// The kind of a value that is not a string, as the module's full reader would see it.
function kindOf(value) {
  switch (typeof value) {
    case 'undefined':
      return UNDEFINED;
    case 'boolean':
      return BOOLEAN;
    case 'number':
      return NUMBER;
    case 'object':
      if (value === null) return NULL;
      try {
        return Array.isArray(value) ? ARRAY : OBJECT;
      } catch {
        return OTHER; // a revoked proxy
      }
    default:
      return OTHER;
  }
}

export function fastValidateTags(glue, memory) {
  const full = glue.validateTags;
  const codes = glue.errorCodes();
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  // Key -> { id: its number in the module's key table (of generation `keyGeneration`),
  // normal: its normal form once the module lowercased it }.
  const known = new Map();
  let keyGeneration = 0;
  // Code and detail -> message (names by number in the module's name table of `nameGeneration`).
  const messages = new Map();
  let nameGeneration = 0;
  memory.grow(0);
  let size = 64 * 1024;
  let base = glue.tagsReserve(size);
  let bytes = new Uint8Array(memory.buffer, base, size);
  let words = new Uint32Array(memory.buffer, base, size / 4);
  let keys = [];
  let values = [];
  let infos = [];
  let sent = 0;
  let busy = false;

  function views() {
    bytes = new Uint8Array(memory.buffer, base, size);
    words = new Uint32Array(memory.buffer, base, size / 4);
  }

  // Writes `text` at `at` as UTF-8; the end, or -1 if it does not fit.
  function write(text, at) {
    const n = text.length;
    if (at + n > size) return -1;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        if (at - i + 3 * n > size) return -1;
        return at - i + encoder.encodeInto(text, bytes.subarray(at - i)).written;
      }
      bytes[at++] = c;
    }
    return at;
  }

  // Puts entry `i` of `n` into the buffer at `at`; the end, or -1 if the buffer is too small.
  function put(i, n, at) {
    const first = head(n) / 4;
    const info = infos[i];
    if (info === undefined) {
      const end = write(keys[i], at);
      if (end < 0) return -1;
      words[first + 2 * i] = end - at;
      at = end;
      sent++;
    } else {
      words[first + 2 * i] = KEY_ID | info.id;
    }
    const value = values[i];
    if (typeof value === 'string') {
      const end = write(value, at);
      if (end < 0) return -1;
      words[first + 2 * i + 1] = end - at;
      return end;
    }
    words[first + 2 * i + 1] = NOT_STRING | kindOf(value);
    return at;
  }

  // Makes the buffer big enough for the worst case of `n` entries.
  function reserve(n) {
    let need = head(n) + 8 * n;
    for (let i = 0; i < n; i++) {
      need += 3 * keys[i].length;
      if (typeof values[i] === 'string') need += 3 * values[i].length;
    }
    size = Math.max(need + 8, 2 * size);
    base = glue.tagsReserve(size);
    views();
  }

  // Remembers the numbers the module gave the keys sent as text.
  function keepKeyIds(n) {
    if (words[1] !== keyGeneration) {
      known.clear();
      keyGeneration = words[1];
    }
    if (sent === 0) return;
    const first = head(n) / 4;
    for (let i = 0; i < n; i++) {
      const word = words[first + 2 * i];
      if (infos[i] === undefined && word & KEY_ID) {
        infos[i] = known.get(keys[i]);
        if (infos[i] === undefined) {
          infos[i] = { id: (word & ~KEY_ID) >>> 0, normal: undefined };
          known.set(keys[i], infos[i]);
        }
      }
    }
  }

  function message(i, w) {
    const kind = words[w + 3];
    const a = words[w + 4];
    if (kind === NAME && words[w + 5] !== nameGeneration) {
      messages.clear();
      nameGeneration = words[w + 5];
    }
    const key = a < 0x100000 ? (words[w] * 8 + kind) * 0x100000 + a : -1;
    let text = messages.get(key);
    if (text === undefined) {
      text = glue.tagsMessage(i);
      if (key >= 0) {
        if (messages.size >= MAX_REMEMBERED) messages.clear();
        messages.set(key, text);
      }
    }
    return text;
  }

  function issues() {
    const count = words[0];
    const out = new Array(count);
    for (let i = 0; i < count; i++) {
      const w = 2 + RECORD * i;
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

  function tags(n, changed) {
    const value = {};
    let at = 8;
    for (let i = 0; i < n; i++) {
      let key = keys[i];
      if (changed & (1 << i)) {
        // A key that changes is valid, so ASCII: as many bytes as UTF-16 units.
        const info = infos[i];
        let normal = info === undefined ? undefined : info.normal;
        if (normal === undefined) {
          normal = decoder.decode(bytes.subarray(at, at + key.length));
          if (info !== undefined) info.normal = normal;
        }
        at += key.length;
        key = normal;
      }
      if (key === '__proto__') {
        Object.defineProperty(value, key, { value: values[i], writable: true, enumerable: true, configurable: true });
      } else {
        value[key] = values[i];
      }
    }
    return value;
  }

  // Reads the object into the buffer: its own enumerable string keys in order, each value read
  // once (a getter that throws reads as a value of no JSON type). The count, or -1 - kind when
  // it is not a readable plain object.
  function take(input) {
    if (typeof input !== 'object' || input === null) return -1 - kindOf(input);
    let own;
    try {
      if (Array.isArray(input)) return -1 - ARRAY;
      own = Object.keys(input);
    } catch {
      return -1 - OTHER;
    }
    const n = own.length;
    if (keys.length < n) {
      keys = new Array(n);
      values = new Array(n);
      infos = new Array(n);
    }
    let at = head(n) + 8 * n;
    sent = 0;
    for (let i = 0; i < n; i++) {
      const key = own[i];
      keys[i] = key;
      infos[i] = known.get(key);
      try {
        values[i] = input[key];
      } catch {
        values[i] = THREW;
      }
      if (at >= 0) at = at > size ? -1 : put(i, n, at);
    }
    // A getter that called into the module may have grown its memory: what was written went to
    // a detached view. Too big for the buffer, or written in vain: write everything again.
    const stale = bytes.byteLength === 0;
    if (stale) views();
    if (at < 0 || stale) {
      if (at < 0) reserve(n);
      at = head(n) + 8 * n;
      sent = 0;
      for (let i = 0; i < n; i++) at = put(i, n, at);
    }
    return n;
  }

  return function validateTags(input) {
    // The views go stale when the module's memory grows.
    if (bytes.byteLength === 0) views();
    // A getter of `input` that calls validateTags itself gets the full reader: the buffer and
    // the arrays hold this call's entries.
    if (busy) return full(input);
    busy = true;
    let n;
    try {
      n = take(input);
    } finally {
      busy = false;
    }
    const status = glue.tagsCheck(n < 0 ? (NOT_OBJECT | (-1 - n)) >>> 0 : n);
    if (status > INVALID) return full(input);
    if (bytes.byteLength === 0) views();
    if (n >= 0) keepKeyIds(n);
    // (`keys` and `values` keep the last call's strings until the next call.)
    if (status === INVALID) return { ok: false, issues: issues() };
    return { ok: true, value: tags(n, status === LOWERCASED ? words[0] : 0) };
  };
}

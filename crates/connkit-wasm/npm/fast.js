// The `tags` module's exports: `validateTags`, `isEmail` and `errorCodes`. How `validateTags`
// reaches the rule: the tags go into the wasm module's buffer as UTF-8 bytes
// (a key the module has seen goes as its number) and a status number comes back (protocol:
// crates/connkit-wasm/src/api/protocol.rs, whose numbers `protocol.js` is generated from).
// Valid tags come back as a new object holding the caller's own strings; keys the module
// lowercased are read back once and remembered; issues come back as records whose messages are
// fetched once per code and detail. Every property is read exactly once, here, before anything
// is written to the buffer. No rule lives here: every verdict, normal key and message is the
// module's. tests/node/fast-path.test.mjs holds the answers equal to those of the package's
// other reader of tags objects (the `filter` module's, which walks the object from wasm).
//
// Two things about Node 20's V8 shape this file. V8 inlines calls into wasm into optimized
// JavaScript, and crashes (a fatal error in Deoptimizer::DoComputeBuiltinContinuation) when it
// has to deoptimize such a caller while the call is running: that happens when the wasm code
// calls back into JavaScript that changes an object shape the caller relies on, or when the
// module's memory grows (the first detached ArrayBuffer invalidates optimized code). So no call
// made here runs JavaScript, and the memory is grown by zero pages once at start, which detaches
// the first buffer before anything is optimized.
//
// The caller's code can run while the object is read (getters, proxy traps) and while the result
// is built (a setter on Object.prototype), and it may call validateTags itself. So the object is
// read in full before anything is written to the buffer; a nested call works on arrays of its
// own; and key numbers and the buffer's address are taken after the read, since a nested call
// may have started a new key table or moved the buffer.
//
// The views of the buffer are renewed right after each call that can grow the memory
// (`tagsReserve`; `tagsCheck`, which says so in its answer; `tagsMessage` and `tagsCodes`, in
// `text`), so they are current whenever the buffer is read or written, after a nested call too,
// without checking them on each call (a check of a view's length costs about 3% of a call).

import {
  VALID, LOWERCASED, INVALID, GREW, NOT_OBJECT, HEADER_WORDS, RECORD, HEAD_FIXED, HEAD_PER_ENTRY,
  DESCRIPTOR_BYTES, KEY_ID, NOT_STRING, NO_ENTRY, DETAIL_RECEIVED, DETAIL_NAME, KIND_UNDEFINED,
  KIND_NULL, KIND_BOOLEAN, KIND_NUMBER, KIND_ARRAY, KIND_OBJECT, KIND_OTHER, SEVERITY,
} from './protocol.js';

// Positions whose last key is remembered.
const POSITIONS = 16;
// Most messages remembered.
const MAX_REMEMBERED = 1024;
// A value whose getter threw: read as a value of no JSON type.
const THREW = Symbol('threw');

// Where the entry descriptors of `n` entries start, and where their text starts.
const head = (n) => HEAD_FIXED + HEAD_PER_ENTRY * n;
const data = (n) => head(n) + DESCRIPTOR_BYTES * n;

// The kind of a value that is not a string, as the `filter` module's reader of tags objects sees it.
function kindOf(value) {
  switch (typeof value) {
    case 'undefined':
      return KIND_UNDEFINED;
    case 'boolean':
      return KIND_BOOLEAN;
    case 'number':
      return KIND_NUMBER;
    case 'object':
      if (value === null) return KIND_NULL;
      try {
        return Array.isArray(value) ? KIND_ARRAY : KIND_OBJECT;
      } catch {
        return KIND_OTHER; // a revoked proxy
      }
    default:
      return KIND_OTHER;
  }
}

export function fastTags(glue, memory) {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  // The module's text answers (`tagsMessage`, `tagsCodes`): `len` bytes in its text area. The
  // call that made the text may have grown the memory: the views are renewed.
  const text = (len) => {
    if (bytes.byteLength === 0) views();
    return decoder.decode(new Uint8Array(memory.buffer, glue.tagsText(), len));
  };
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
  // This call's entries: keys, values, key-table infos, normal keys (a nested call swaps in its own).
  let keys = [];
  let values = [];
  let infos = [];
  let normals = [];
  let sent = 0;
  // The key last looked up at each of the first POSITIONS positions, and its entry in `known`
  // (null: none; `known` is the truth, these go when it is cleared).
  const lastKeys = new Array(POSITIONS).fill(null);
  const lastInfos = new Array(POSITIONS).fill(undefined);
  let busy = false;
  const codes = text(glue.tagsCodes()).split(' ');
  // Messages without a detail or with a received type, by code and type (the common ones: an
  // array is quicker than the map).
  const plain = new Array(codes.length * 16).fill(undefined);

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

  // Makes the buffer at least `need` bytes (growing it at least twofold).
  function grow(need) {
    size = Math.max(need + 8, 2 * size);
    base = glue.tagsReserve(size);
    views();
  }

  // Makes the buffer big enough for the worst case of `n` entries.
  function reserve(n) {
    let need = data(n);
    for (let i = 0; i < n; i++) {
      need += 3 * keys[i].length;
      if (typeof values[i] === 'string') need += 3 * values[i].length;
    }
    grow(need);
  }

  // What `known` holds for `key`, the key at position `i`: an app sends the same keys in the same
  // order call after call, so the key last seen at a position is checked first (comparing two
  // strings V8 keeps unique is one comparison; a lookup hashes).
  function info(key, i) {
    if (i >= POSITIONS) return known.get(key);
    if (lastKeys[i] === key) return lastInfos[i];
    const found = known.get(key);
    if (found !== undefined) {
      lastKeys[i] = key;
      lastInfos[i] = found;
    }
    return found;
  }

  // Forgets every key number (the module started a new key table).
  function forget() {
    known.clear();
    lastKeys.fill(null);
  }

  // Writes the `n` entries read by `take` into the buffer (no caller code runs here). Keys go by
  // number unless `asText`.
  function send(n, asText) {
    let at = data(n);
    sent = 0;
    for (let i = 0; i < n; i++) {
      infos[i] = asText ? undefined : info(keys[i], i);
      if (at >= 0) at = at > size ? -1 : put(i, n, at);
    }
    if (at < 0) {
      reserve(n);
      at = data(n);
      sent = 0;
      for (let i = 0; i < n; i++) at = put(i, n, at);
    }
  }

  // Remembers the numbers the module gave the keys sent as text.
  function keepKeyIds(n) {
    if (words[1] !== keyGeneration) {
      forget();
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
    if (kind <= DETAIL_RECEIVED && a < 15) {
      const at = words[w] * 16 + kind * (1 + a);
      let found = plain[at];
      if (found === undefined) plain[at] = found = text(glue.tagsMessage(i));
      return found;
    }
    if (kind === DETAIL_NAME && words[w + 5] !== nameGeneration) {
      messages.clear();
      nameGeneration = words[w + 5];
    }
    const key = a < 0x100000 ? (words[w] * 8 + kind) * 0x100000 + a : -1;
    let found = messages.get(key);
    if (found === undefined) {
      found = text(glue.tagsMessage(i));
      if (key >= 0) {
        if (messages.size >= MAX_REMEMBERED) messages.clear();
        messages.set(key, found);
      }
    }
    return found;
  }

  // The issues of an INVALID answer (object literals: no caller code runs).
  function issues(n) {
    const count = words[0];
    const out = new Array(count);
    for (let i = 0; i < count; i++) {
      const w = HEADER_WORDS + RECORD * i;
      const entry = words[w + 2];
      out[i] = {
        code: codes[words[w]],
        path: entry === NO_ENTRY || entry >= n ? [] : [keys[entry]],
        message: message(i, w),
        severity: SEVERITY[words[w + 1]],
      };
    }
    return out;
  }

  // The normal tags. Normal keys are taken from the buffer before the first property is set (a
  // setter on Object.prototype could call validateTags and overwrite the buffer).
  function tags(n, changed) {
    let at = 4 * HEADER_WORDS;
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
      normals[i] = key;
    }
    const value = {};
    for (let i = 0; i < n; i++) {
      const key = normals[i];
      if (key === '__proto__') {
        Object.defineProperty(value, key, { value: values[i], writable: true, enumerable: true, configurable: true });
      } else {
        value[key] = values[i];
      }
    }
    return value;
  }

  // Reads the object: its own enumerable string keys in order, each value read once (a getter
  // that throws reads as a value of no JSON type). The count, or -1 - kind when it is not a
  // readable plain object.
  function take(input) {
    if (typeof input !== 'object' || input === null) return -1 - kindOf(input);
    let own;
    try {
      if (Array.isArray(input)) return -1 - KIND_ARRAY;
      own = Object.keys(input);
    } catch {
      return -1 - KIND_OTHER;
    }
    const n = own.length;
    if (keys.length < n) {
      keys = new Array(n);
      values = new Array(n);
      infos = new Array(n);
      normals = new Array(n);
    }
    // The values, through `for...in` as long as it yields the same keys as `Object.keys` (V8 then
    // reads each one by its field index instead of looking the key up: 5–10% of a call); the
    // rest one by one. Either way each value is read once, with `input[key]`; `for...in` only
    // adds enumeration (a proxy sees more trap calls) and may stop early: a getter that deletes
    // a later key, a trap that throws.
    let i = 0;
    try {
      for (const key in input) {
        if (i === n || key !== own[i]) break;
        keys[i] = key;
        try {
          values[i] = input[key];
        } catch {
          values[i] = THREW;
        }
        i++;
      }
    } catch {
      // An enumeration trap threw: the rest one by one.
    }
    for (; i < n; i++) {
      const key = own[i];
      keys[i] = key;
      try {
        values[i] = input[key];
      } catch {
        values[i] = THREW;
      }
    }
    return n;
  }

  // The module's answer on the object read by `take` (`n` entries, or -1 - kind); the views are
  // renewed at once if the memory grew.
  function check(n, asText) {
    let status;
    if (n < 0) {
      status = glue.tagsCheck((NOT_OBJECT | (-1 - n)) >>> 0);
    } else {
      send(n, asText);
      status = glue.tagsCheck(n);
    }
    if (status & GREW) views();
    return status & ~GREW;
  }

  function run(input) {
    let n = take(input);
    let status = check(n, false);
    if (status > INVALID) {
      // The module could not read the buffer (never expected): once more with every key as
      // text, then as a value of no JSON type rather than a wrong answer or an exception.
      forget();
      status = check(n, true);
      if (status > INVALID) {
        n = -1 - KIND_OTHER;
        status = check(n, true);
      }
    }
    if (n >= 0) keepKeyIds(n);
    if (status === INVALID) return { ok: false, issues: issues(n < 0 ? 0 : n) };
    return { ok: true, value: tags(n, status === LOWERCASED ? words[0] : 0) };
  }

  function validateTags(input) {
    if (!busy) {
      busy = true;
      try {
        return run(input);
      } finally {
        busy = false;
      }
    }
    // Called from the caller's code while another call reads its object or builds its result.
    const outer = [keys, values, infos, normals];
    keys = [];
    values = [];
    infos = [];
    normals = [];
    try {
      return run(input);
    } finally {
      [keys, values, infos, normals] = outer;
    }
  }

  // The string goes to the buffer's start: no call under way holds anything there while the
  // caller's code can run (see `tags` and `issues`).
  function isEmail(value) {
    if (typeof value !== 'string') return false;
    let end = write(value, 0);
    if (end < 0) {
      grow(3 * value.length);
      end = write(value, 0);
    }
    return glue.tagsEmail(end);
  }

  return { validateTags, isEmail, errorCodes: () => codes.slice() };
}

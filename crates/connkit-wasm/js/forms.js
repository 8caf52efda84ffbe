// connkit-wasm's memory of built forms, imported by the form module (wasm-bindgen copies this
// file into the package's snippets/): the rules of each form buildForm built (a text only the
// module reads), by the form object it returned, so that validateConnectionConfig given that
// object checks values without building the form again. A WeakMap: when the app drops the form
// object, its rules go too. Each form also gets a number, never reused, by which the module
// keeps a few forms' decoded rules, and its patterns compiled once.
//
// The keystroke protocol (`src/api/keystroke.rs` holds its table): `readKeystroke` reads the
// values, if they are what a form page holds (objects of strings), writes them into the
// module's memory in a single crossing and keeps the strings it read; the module then asks
// `testKept` for pattern verdicts by number and answers through `keptOk` when they are valid. No rule
// lives here: this file moves strings and builds the result the module describes, and never
// decides a verdict.
import { put } from './helpers.js';
import { compile } from './regexp.js';

const forms = new WeakMap();
let last = 0;

// `memory` is the module's, into which a keystroke's values are written.
export function keepForm(view, code, memory) {
  forms.set(view, { code, id: ++last, patterns: [], memory, bytes: undefined });
}

export function keptForm(view) {
  const kept = typeof view === 'object' && view !== null ? forms.get(view) : undefined;
  return kept === undefined ? undefined : kept.code;
}

// The keystroke under way: its form and the string pairs read (key, value, top-level key).
let current = null;

const wellFormed = ''.isWellFormed ? (s) => s.isWellFormed() : (s) => !/\p{Cs}/u.test(s);

// Reads the values of `validateConnectionConfig(view, values, options)`, if `view` is a form
// object buildForm returned, and writes them (`api/keystroke.rs` holds the layout) into the
// `room` bytes of the module's memory at `at`; the bytes written, or -1 for any other `view`.
// Everything is read before anything is written: a getter may run a keystroke of its own.
export function readKeystroke(view, values, options, at, room) {
  current = null;
  const form = typeof view === 'object' && view !== null ? forms.get(view) : undefined;
  if (form === undefined) return -1;
  const read = { form, keys: [], values: [], groups: [] };
  const top = [];
  const fits = submission(values, options, read, top) && need(read, top) <= room;
  const bytes = memory(form);
  let p = word(bytes, at, form.id);
  if (!fits) return word(bytes, p, NONE) - at;
  current = read;
  p = word(bytes, p, top.length / 2);
  let pair = 0;
  for (let t = 0; t < top.length; t += 2) {
    p = text(bytes, p, top[t]);
    const item = top[t + 1];
    if (typeof item === 'string') {
      p = text(bytes, word(bytes, p, NONE), item);
      continue;
    }
    p = word(bytes, p, item);
    for (const end = pair + item; pair < end; pair++) p = text(bytes, text(bytes, p, read.keys[pair]), read.values[pair]);
  }
  return p - at;
}

// The word that stands for no count: the values are to be read as JSON, or a string follows.
const NONE = 0xffffffff;

// The most bytes the values may take (3 per UTF-16 unit).
function need({ keys, values }, top) {
  let n = 8;
  for (const item of top) n += typeof item === 'number' ? 4 : 8 + 3 * item.length;
  for (let i = 0; i < keys.length; i++) n += 8 + 3 * (keys[i].length + values[i].length);
  return n;
}

// Whether `values` (with `options`) is a submission of objects of strings, read into `read`
// (its pairs) and `top` (each top-level key, then its string or the number of its pairs).
// Lone surrogates, which UTF-8 cannot carry, take the JSON path too.
function submission(values, options, read, top) {
  try {
    if (typeof options === 'object' && options !== null && options.group !== undefined) return false;
    if (!plain(values)) return false;
    for (const key of Object.keys(values)) {
      const value = values[key];
      if (!wellFormed(key)) return false;
      top.push(key);
      if (typeof value === 'string') {
        if (!wellFormed(value)) return false;
        top.push(value);
        continue;
      }
      if (!plain(value)) return false;
      const keys = Object.keys(value);
      top.push(keys.length);
      for (const name of keys) {
        const text = value[name];
        if (typeof text !== 'string' || !wellFormed(name) || !wellFormed(text)) return false;
        read.keys.push(name);
        read.values.push(text);
        read.groups.push(key);
      }
    }
    return true;
  } catch {
    return false;
  }
}

const plain = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

const encoder = new TextEncoder();

// The module's memory as bytes, renewed when it grew (which detaches the buffer).
function memory(form) {
  if (form.bytes === undefined || form.bytes.byteLength === 0) form.bytes = new Uint8Array(form.memory.buffer);
  return form.bytes;
}

function word(bytes, at, n) {
  bytes[at] = n;
  bytes[at + 1] = n >>> 8;
  bytes[at + 2] = n >>> 16;
  bytes[at + 3] = n >>> 24;
  return at + 4;
}

// A string's UTF-8 length, then its bytes; where the next thing goes.
function text(bytes, at, s) {
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) break;
    bytes[at + 4 + i] = c;
  }
  const len = i < n ? i + encoder.encodeInto(s.slice(i), bytes.subarray(at + 4 + i)).written : n;
  word(bytes, at, len);
  return at + 4 + len;
}

// The verdict of the form's pattern `k` on the value of pair `i` (-1: the empty string): 0 no
// match, 1 a match, 2 the pattern does not compile, 3 the pattern is not compiled yet.
export function testKept(k, i) {
  const re = current.form.patterns[k];
  if (re === undefined) return 3;
  if (typeof re === 'string') return 2;
  return re.test(i < 0 ? '' : current.values[i]) ? 1 : 0;
}

// `testKept` after compiling `pattern` as the form's pattern `k`.
export function compileKept(k, pattern, i) {
  current.form.patterns[k] = compile(pattern);
  return testKept(k, i);
}

// `{ ok: true, value, warnings }`: value holds the pairs numbered by the `n` words at `at` in
// the module's memory, in that order, in their groups; `warnings` is undefined for none.
export function keptOk(at, n, warnings) {
  const { form, keys, values, groups } = current;
  current = null;
  const bytes = memory(form);
  const value = {};
  for (let p = at; p < at + 4 * n; p += 4) {
    const i = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24);
    value[groups[i]] ??= {};
    put(value[groups[i]], keys[i], values[i]);
  }
  return { ok: true, value, warnings: warnings === undefined ? [] : warnings };
}

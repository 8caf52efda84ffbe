// connkit-wasm's memory of built forms, imported by the form module (wasm-bindgen copies this
// file into the package's snippets/): the rules of each form buildForm built (a text only the
// module reads), by the form object it returned, so that validateConnectionConfig given that
// object checks values without building the form again. A WeakMap: when the app drops the form
// object, its rules go too. Each form also gets a number, never reused, by which the module
// keeps a few forms' decoded rules, and its patterns compiled once.
//
// The keystroke protocol (`src/api/keystroke.rs` holds its table): `readKeystroke` reads the
// values, if they are what a form page holds (objects of strings), into one text in a single
// crossing and keeps the strings it read; the module then asks `testKept` for pattern verdicts
// by number and answers through `keptOk` or `keptFail`. No rule lives here: this file moves
// strings and builds the result the module describes, and never decides a verdict.
import { fail, put } from './helpers.js';
import { compile } from './regexp.js';

const forms = new WeakMap();
let last = 0;

// `memory` is the module's, into which a keystroke's text is written.
export function keepForm(view, code, memory) {
  forms.set(view, { code, id: ++last, patterns: [], memory, bytes: undefined });
}

export function keptForm(view) {
  const kept = typeof view === 'object' && view !== null ? forms.get(view) : undefined;
  return kept === undefined ? undefined : kept.code;
}

// The keystroke under way: its form, and the string pairs read (key, value, top-level key).
let current = null;

const wellFormed = ''.isWellFormed ? (s) => s.isWellFormed() : (s) => !/\p{Cs}/u.test(s);

// `${count}:` then `${key.length}:${key}${value.length}:${value}` per property of `object`,
// whose values must all be strings; undefined for anything else.
function pairs(object, group, read) {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return undefined;
  const keys = Object.keys(object);
  let text = `${keys.length}:`;
  for (const key of keys) {
    const value = object[key];
    if (typeof value !== 'string' || !wellFormed(key) || !wellFormed(value)) return undefined;
    text += `${key.length}:${key}${value.length}:${value}`;
    read.keys.push(key);
    read.values.push(value);
    read.groups.push(group);
  }
  return text;
}

// Writes the values of `validateConnectionConfig(view, values, options)` as one text, if `view`
// is a form object buildForm returned (its number alone when the values are not objects of
// strings, or `options.group` is given: the module then reads them as JSON), as UTF-8 into the
// `room` bytes of the module's memory at `at`; the bytes written, -1 for any other `view`, or,
// when the text may not fit, -2 minus the bytes it needs (`writeKeystroke` then writes it).
// Lengths in the text count UTF-16 code units; lone surrogates, which UTF-8 cannot carry, take
// the JSON path too.
export function readKeystroke(view, values, options, at, room) {
  current = null;
  const form = typeof view === 'object' && view !== null ? forms.get(view) : undefined;
  if (form === undefined) return -1;
  const read = { form, keys: [], values: [], groups: [], text: '' };
  const text = submission(values, options, read);
  read.text = text === undefined ? `${form.id}:` : `${form.id}:${text}`;
  current = read;
  return writeKeystroke(at, room);
}

const encoder = new TextEncoder();

// Writes the keystroke's text at `at`, as `readKeystroke` says.
export function writeKeystroke(at, room) {
  const { form, text } = current;
  const n = text.length;
  if (3 * n > room) return -2 - 3 * n;
  // A view of the memory, renewed when the memory grew (which detaches its buffer).
  if (form.bytes === undefined || form.bytes.byteLength === 0) form.bytes = new Uint8Array(form.memory.buffer);
  const bytes = form.bytes;
  let i = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return i + encoder.encodeInto(text.slice(i), bytes.subarray(at + i, at + room)).written;
    bytes[at + i] = c;
  }
  return n;
}

function submission(values, options, read) {
  try {
    if (typeof options === 'object' && options !== null && options.group !== undefined) return undefined;
    if (typeof values !== 'object' || values === null || Array.isArray(values)) return undefined;
    const keys = Object.keys(values);
    let text = `${keys.length}:`;
    for (const key of keys) {
      const value = values[key];
      if (!wellFormed(key)) return undefined;
      text += `${key.length}:${key}`;
      if (typeof value === 'string') {
        if (!wellFormed(value)) return undefined;
        text += `s${value.length}:${value}`;
      } else {
        const inner = pairs(value, key, read);
        if (inner === undefined) return undefined;
        text += `o${inner}`;
      }
    }
    return text;
  } catch {
    return undefined;
  }
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

// `{ ok: true, value, warnings }`: value holds the pairs numbered in `order`, in that order, in
// their groups; `warnings` is undefined for none.
export function keptOk(order, warnings) {
  const { keys, values, groups } = current;
  current = null;
  const value = {};
  for (const i of order) {
    value[groups[i]] ??= {};
    put(value[groups[i]], keys[i], values[i]);
  }
  return { ok: true, value, warnings: warnings === undefined ? [] : warnings };
}

// `{ ok: false, issues }`, ending the keystroke.
export function keptFail(issues) {
  current = null;
  return fail(issues);
}

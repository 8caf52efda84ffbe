// Differential test: connkit-core against zod 4.0.5 configured as Nango configures it
// (spec §1.2–1.4), and a field's `format: uri` against the WHATWG `URL` of this Node. Generates N random tag objects and emails from a fixed seed, biased towards
// the edges the rules care about, runs them through zod here and through connkit's `jsonl`
// driver (tests/drivers/), and compares verdicts, normalised output and Nango's error lists exactly.
//
// usage: node tests/compat/zod/diff.mjs [N] [SEED]     (CONNKIT_JSONL_BIN: the driver binary)
// Nango's tags schema is the one in nango-schema.mjs, which the benchmark uses too.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { nangoTagsSchema } from './nango-schema.mjs';

const N = Number(process.argv[2] ?? 1_000_000);
const SEED = Number(process.argv[3] ?? 20261125);
const BIN = process.env.CONNKIT_JSONL_BIN;
if (!BIN) throw new Error('set CONNKIT_JSONL_BIN to the `jsonl` driver binary (tests/drivers/)');

// ---- Nango's rules, as zod 4.0.5 schemas (spec §1.2, §1.3) ----
const bodySchema = z.object({ tags: nangoTagsSchema() }).strict();
const emailSchema = z.string().email();

// ---- a seeded generator (mulberry32) ----
let state = SEED >>> 0;
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const below = (n) => Math.floor(rand() * n);
const pick = (items) => items[below(items.length)];
const chance = (p) => rand() < p;

const KEY_CHARS = ['a', 'B', 'z', 'Q', '0', '9', '_', '-', '.', '/', ':', '@', ' ', 'é', '😀', '+', '#'];
const SPECIAL_KEYS = ['end_user_email', 'END_USER_EMAIL', 'End_User_Email', 'end_user_id', 'organization_id', '__proto__', '0', '12', '01', '', 'constructor', 'toString', 'a.b', 'A/b'];
const VALUE_PIECES = ['a', 'Z', ' ', 'é', '😀', '\n', '"', '\\', 'x'.repeat(50), '\u{10FFFF}', '<b>'];

function key() {
  const r = rand();
  if (r < 0.25) return pick(SPECIAL_KEYS);
  if (r < 0.35) {
    const len = pick([63, 64, 65]);
    return (chance(0.8) ? 'k' : pick(['1', '_'])) + 'a'.repeat(len - 1);
  }
  const first = chance(0.85) ? pick(['a', 'B', 'k', 'Tag']) : pick(KEY_CHARS);
  let out = first;
  const n = below(8);
  for (let i = 0; i < n; i++) out += chance(0.8) ? pick(['a', 'b', 'C', '1', '_']) : pick(KEY_CHARS);
  return out;
}

function emailLike() {
  const locals = ['a', 'user.name', 'o\'brien', 'a+b', 'a_b', '.a', 'a.', 'a..b', '"q"', 'ü', 'A', 'x-', "a'"];
  const domains = ['b.co', 'x.io', 'example.com', 'x-.io', '-x.io', 'x.c', 'x.co1', 'x..io', '1.io', 'ü.io', '[1.2.3.4]', 'io', 'b-c.d-e.fg', 'x.io.'];
  const r = rand();
  if (r < 0.7) return pick(locals) + '@' + pick(domains);
  if (r < 0.8) return pick(locals) + '@@' + pick(domains);
  let out = '';
  const n = below(12);
  for (let i = 0; i < n; i++) out += pick(['a', '@', '.', '-', '_', "'", '+', ' ', 'é', '1', 'co']);
  return out;
}

function urlLike() {
  const schemes = ['https://', 'http://', 'HTTP://', 'ftp://', 'ws://', 'mailto:', 'file://', 'x-y+z:', 'https:', 'https:\\\\', '1http://', ''];
  const hosts = ['example.com', 'a b.com', 'a%20b.com', 'x%2Fy.com', '%C3%A9.com', 'é.com', '127.0.0.1', '0x7f.1', '1.2.3.256', '[::1]', '[1:2::3:4]', '[::g]', 'a..b', 'xn--9ca.com', 'user:pw@h.io', '@h.io', 'h.io:8080', 'h.io:65536', 'h.io:x', '', 'a<b.com', '\u00a0h.io', 'h_i.io'];
  const tails = ['', '/', '/path?q=1#f', '/a b', '?x', '#', '/%zz', ':', '\\p'];
  return (chance(0.1) ? ' ' : '') + pick(schemes) + pick(hosts) + pick(tails) + (chance(0.1) ? '\n' : '');
}

function value() {
  const r = rand();
  if (r < 0.06) return pick([5, null, true, [], ['a'], { a: 'b' }, 1.5, -0, 1e21]);
  // zod runs string length checks on anything with a `length` (arrays, objects with that key).
  if (r < 0.07) return pick([new Array(256).fill('a'), { length: pick([0, 1, 255, 256, 300, 'x', '12', '', null, true, -1, 1.5, 0.5, [], [3], {}]) }]);
  if (r < 0.12) return '';
  if (r < 0.2) return 'v'.repeat(pick([254, 255, 256]));
  if (r < 0.26) return '😀'.repeat(pick([127, 128])) + (chance(0.5) ? 'a' : '');
  if (r < 0.4) return emailLike();
  let out = '';
  const n = 1 + below(6);
  for (let i = 0; i < n; i++) out += pick(VALUE_PIECES);
  return out;
}

/** Raw JSON text of a tags value; duplicate keys are written out and survive as text. */
function tagsText() {
  const r = rand();
  if (r < 0.03) return JSON.stringify(pick(['str', 3, null, true, [], ['a'], [{ a: 'b' }]]));
  const n = pick([0, 1, 2, 3, 5, 9, 10, 10, 11, 12, 3, 4]);
  const parts = [];
  for (let i = 0; i < n; i++) {
    const k = chance(0.1) && parts.length > 0 ? parts[below(parts.length)][0] : key();
    parts.push([k, value()]);
  }
  return '{' + parts.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',') + '}';
}

function zodTags(text) {
  const body = JSON.parse(`{"tags":${text}}`);
  const tags = body.tags;
  const hasProto = tags !== null && typeof tags === 'object' && !Array.isArray(tags) && Object.hasOwn(tags, '__proto__');
  let res;
  try {
    res = bodySchema.safeParse(body);
  } catch {
    // zod 4.0.5 throws on an own `constructor: null` (Nango answers 500); connkit's projection
    // reports the 400 Nango gives for every other `constructor` value.
    counts.zod_threw++;
    const nango = [{ code: 'invalid_type', message: 'Invalid input: expected record, received object', path: ['tags'] }];
    return { ok: false, value: null, nango, hasProto };
  }
  if (res.success) return { ok: true, value: res.data.tags, nango: [], hasProto };
  const nango = res.error.issues.map((i) => ({ code: i.code, message: i.message, path: i.path.map(String) }));
  return { ok: false, value: null, nango, hasProto };
}

// ---- run ----
const child = spawn(BIN, [], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
const counts = { cases: 0, tags_ok: 0, tags_rejected: 0, emails: 0, emails_valid: 0, urls: 0, zod_threw: 0, mismatches: 0 };
const shown = [];
const started = Date.now();
const BATCH = 20_000;

const byKind = {};
function mismatch(kind, input, want, got) {
  counts.mismatches++;
  byKind[kind] = (byKind[kind] ?? 0) + 1;
  if (shown.length < 20) shown.push({ kind, input, want, got });
}

for (let done = 0; done < N; done += BATCH) {
  const size = Math.min(BATCH, N - done);
  const expected = [];
  let chunk = '';
  for (let i = 0; i < size; i++) {
    if (chance(0.05)) {
      const url = urlLike();
      let valid = true;
      try {
        new URL(url);
      } catch {
        valid = false;
      }
      expected.push({ op: 'url', input: url, valid });
      chunk += JSON.stringify({ op: 'url', input: url }) + '\n';
    } else if (chance(0.2)) {
      const email = emailLike();
      expected.push({ op: 'email', input: email, valid: emailSchema.safeParse(email).success });
      chunk += JSON.stringify({ op: 'email', input: email }) + '\n';
    } else {
      const text = tagsText();
      expected.push({ op: 'tags', input: text, ...zodTags(text) });
      chunk += `{"op":"tags","input":${text}}\n`;
    }
  }
  child.stdin.write(chunk + '{"op":"flush"}\n'); // buffered by Node; awaiting 'drain' here would deadlock on a full stdout pipe
  for (const want of expected) {
    const { value: line, done: ended } = await lines.next();
    if (ended) throw new Error('the connkit driver stopped early');
    const got = JSON.parse(line);
    counts.cases++;
    if (want.op === 'url') {
      counts.urls++;
      if (got.valid !== want.valid) mismatch('url verdict', want.input, want.valid, got.valid);
      continue;
    }
    if (want.op === 'email') {
      counts.emails++;
      if (want.valid) counts.emails_valid++;
      if (got.valid !== want.valid) mismatch('email verdict', want.input, want.valid, got.valid);
      continue;
    }
    if (want.ok) counts.tags_ok++;
    else counts.tags_rejected++;
    // connkit rejects `__proto__` (it fails the key pattern; zod skips it silently) and any key
    // that lowercases to `constructor` (reserved: Nango would reject it once stored lowercase).
    const reserved = /"constructor"\s*:/i.test(want.input);
    const connkitShouldAccept = want.ok && !want.hasProto && !reserved;
    if (got.ok !== connkitShouldAccept) mismatch('tags verdict', want.input, connkitShouldAccept, got);
    else if (got.ok && JSON.stringify(got.value) !== JSON.stringify(want.value)) mismatch('normalised value', want.input, want.value, got.value);
    if (JSON.stringify(got.nango) !== JSON.stringify(want.nango)) mismatch('nango errors', want.input, want.nango, got.nango);
  }
}
child.stdin.end();
const seconds = (Date.now() - started) / 1000;
console.log(JSON.stringify({ ...counts, seed: SEED, seconds, cases_per_second: Math.round(counts.cases / seconds) }));
for (const m of shown) console.log('MISMATCH', JSON.stringify(m));
if (counts.mismatches > 0) console.log('mismatches by kind', JSON.stringify(byKind));
if (counts.mismatches > 0 || counts.cases !== N) process.exit(1);
console.log(`${counts.cases} passed, 0 failed`);

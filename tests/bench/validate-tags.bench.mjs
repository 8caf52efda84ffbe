// `cargo xtask bench` (JavaScript part): connkit's validateTags against zod 4.0.5 as Nango writes
// it, zod with the email schema hoisted, valibot, ajv standalone (precompiled; also run with its
// duplicate and email checks after a failed schema, i.e. connkit's work) and a hand-written
// floor, in one Node process, on a valid 3-tag object, a valid 10-tag object and an invalid
// object. Prints ops/s and ratios, then the gzip -9 size of each library's browser bundle (Vite 7):
// connkit-all imports every export, connkit-tags validateTags only, connkit-filter and
// connkit-connect what a tag-filter page and a Connect form page use.
// A benchmark, never a test: it prints figures and fails only if a library gives a wrong verdict.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { build } from 'vite';
import { TAGS_JSON_SCHEMA, makeAjv, makeFloor, makeValibot, makeZodHoisted, makeZodNango } from './libraries.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const PKG = process.env.CONNKIT_PACKAGE; // the installed package directory
const OUT = process.env.CONNKIT_BENCH_OUT;
if (!PKG || !OUT) throw new Error('run through cargo xtask bench');

// ajv standalone: compiled once to an ES module, as a build step would.
const generated = join(here, '..', 'node_modules', '.cache', 'connkit-bench');
mkdirSync(generated, { recursive: true });
const ajv = new Ajv({ allErrors: true, code: { source: true, esm: true } });
const ajvFile = join(generated, 'ajv-tags.mjs');
// ajv's `esm` output still require()s its runtime helpers: turn those into imports.
const ajvCode = standaloneCode(ajv, ajv.compile(TAGS_JSON_SCHEMA)).replace(
  /const (\w+) = require\("([^"]+)"\)\.default;/g,
  'import $1_module from "$2.js"; const $1 = $1_module.default;',
);
writeFileSync(ajvFile, ajvCode);
const ajvValidate = (await import(pathToFileURL(ajvFile))).default;

const connkit = await import(pathToFileURL(join(PKG, 'node.js')));

const INPUTS = {
  'valid 3 tags': { end_user_id: 'u_123', Organization_Id: 'org-9', plan: 'Pro' },
  'valid 10 tags': Object.fromEntries([
    ...Array.from({ length: 9 }, (_, n) => [`Key_${n}`, `value number ${n}`]),
    ['end_user_email', 'someone@example.com'],
  ]),
  invalid: { '1bad': 'x', ok: '', End_User_Email: 'nope', END_USER_email: 'a@b.co', n: 5 },
};
const EXPECT_OK = { 'valid 3 tags': true, 'valid 10 tags': true, invalid: false };

const LIBRARIES = {
  connkit: connkit.validateTags,
  'zod 4.0.5 (as Nango)': makeZodNango(),
  'zod 4.0.5 (hoisted)': makeZodHoisted(),
  'valibot 1.5.0': makeValibot(),
  'ajv 8 standalone': makeAjv(ajvValidate),
  'ajv 8 (every check)': makeAjv(ajvValidate, true),
  'hand-written JS': makeFloor(),
};

// One timed round: `fn(input)` in batches for `ns` nanoseconds; ops/s.
function round(fn, input, ns) {
  const batch = 1000;
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < ns) {
    for (let i = 0; i < batch; i++) fn(input);
    n += batch;
    elapsed = process.hrtime.bigint() - start;
  }
  return (n * 1e9) / Number(elapsed);
}

const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];

for (const [scenario, input] of Object.entries(INPUTS)) {
  for (const [name, fn] of Object.entries(LIBRARIES)) {
    const verdict = fn(input).ok;
    if (verdict !== EXPECT_OK[scenario]) throw new Error(`${name} gives ok=${verdict} on ${scenario}`);
  }
}

// This machine is noisy: each of the 9 rounds times every library once, back to back, and a
// library's figure is its median round; its ratio to connkit is the median of its per-round
// ratios (both measured in the same round, so the noise mostly cancels).
const ROUNDS = 9;
const results = {};
const ratios = {};
for (const [scenario, input] of Object.entries(INPUTS)) {
  const names = Object.keys(LIBRARIES);
  for (const name of names) for (let i = 0; i < 20_000; i++) LIBRARIES[name](input); // warm-up
  const ops = Object.fromEntries(names.map((name) => [name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of names) ops[name].push(round(LIBRARIES[name], input, 100_000_000n));
  }
  results[scenario] = Object.fromEntries(names.map((name) => [name, median(ops[name])]));
  ratios[scenario] = Object.fromEntries(
    names.map((name) => [name, median(ops[name].map((x, r) => x / ops.connkit[r]))]),
  );
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
console.log(`\nvalidateTags, ops/s (median of ${ROUNDS} interleaved rounds), ratio = library / connkit (median of per-round ratios), Node ${process.version}`);
for (const [scenario, row] of Object.entries(results)) {
  console.log(`\n  ${scenario}`);
  for (const [name, ops] of Object.entries(row)) {
    console.log(`    ${name.padEnd(22)} ${fmt(ops).padStart(12)} ops/s   ${ratios[scenario][name].toFixed(2)}× connkit`);
  }
}
const c = (s) => results[s].connkit;
const vsAjv = (s) => 1 / ratios[s]['ajv 8 standalone'];
const met = (ok) => (ok ? 'met' : 'NOT met');
console.log('\n  targets:');
console.log(`    valid 3 tags ≥ 1,400,000 ops/s: ${fmt(c('valid 3 tags'))} ${met(c('valid 3 tags') >= 1.4e6)}`);
console.log(`    invalid ≥ 1,000,000 ops/s: ${fmt(c('invalid'))} ${met(c('invalid') >= 1e6)}`);
for (const s of ['valid 3 tags', 'invalid']) {
  console.log(`    ${s} ≥ ajv standalone in the same run: ${vsAjv(s).toFixed(2)}× ajv ${met(vsAjv(s) >= 1)}`);
}
// Not a target: ajv doing connkit's work on the invalid object (duplicate and email checks too).
const vsEvery = 1 / ratios.invalid['ajv 8 (every check)'];
console.log(`    (for comparison: invalid against ajv with every check: ${vsEvery.toFixed(2)}×)`);

// Bundle sizes: each entry built by Vite 7 for the browser, every emitted file gzip -9.
console.log('\nbrowser bundle sizes (Vite 7 build, minified; gzip -9 of each .js and .wasm the page loads)');
const entries = readdirSync(join(here, 'entries')).filter((f) => f.endsWith('.js')).sort();
const gzipped = {};
for (const entry of entries) {
  const outDir = join(OUT, entry.replace(/\.js$/, ''));
  await build({
    configFile: false,
    logLevel: 'silent',
    root: here,
    resolve: {
      alias: [
        { find: /^connkit$/, replacement: join(PKG, 'browser.js') },
        { find: /^ajv-standalone-tags$/, replacement: ajvFile },
      ],
    },
    build: { outDir, emptyOutDir: true, rollupOptions: { input: join(here, 'entries', entry) } },
  });
  // What a page loads: the entry chunk, the chunks and wasm files it names (Vite also emits
  // the wasm of a module it tree-shook away; no page ever fetches that one).
  const all = readdirSync(join(outDir, 'assets'));
  const scripts = all.filter((f) => f.endsWith('.js'));
  const text = scripts.map((f) => readFileSync(join(outDir, 'assets', f), 'utf8')).join('\n');
  const files = all.filter((f) => f.endsWith('.js') || text.includes(f));
  let raw = 0;
  let gz = 0;
  const parts = [];
  for (const f of files) {
    const bytes = readFileSync(join(outDir, 'assets', f));
    const z = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gz += z;
    parts.push(`${f.replace(/-[\w-]{8}\./, '.')} ${fmt(z)}`);
  }
  gzipped[entry.replace(/\.js$/, '')] = gz;
  console.log(`  ${entry.replace(/\.js$/, '').padEnd(16)} ${fmt(gz).padStart(8)} B gzip -9 (${fmt(raw)} B raw): ${parts.join(', ')}`);
}
// The issue's size target is for the whole package. What a page loads for what it uses is
// printed against the same figure for comparison (a page that only checks tags, one that builds
// tag filters, one with the Connect form). 16 KB read as 16,000 bytes (the stricter reading).
const BUDGET = 16_000;
const against = (entry, what) => {
  const gz = gzipped[entry];
  return `    ${what} ≤ ${fmt(BUDGET)} B gzip -9: ${fmt(gz)} B (${(gz / BUDGET).toFixed(2)}× the budget) ${met(gz <= BUDGET)}`;
};
console.log('\n  target:');
console.log(against('connkit-all', 'whole package (every export)'));
console.log('  per page, against the same budget (for comparison):');
for (const [entry, what] of [
  ['connkit-tags', 'validateTags alone'],
  ['connkit-filter', 'tag filter page'],
  ['connkit-connect', 'Connect form page'],
]) {
  console.log(against(entry, what));
}

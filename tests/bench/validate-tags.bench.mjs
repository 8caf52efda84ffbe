// `cargo xtask bench` (JavaScript part): connkit's validateTags against zod 4.0.5 as Nango writes
// it, zod with the email schema hoisted, valibot, ajv standalone (precompiled; also run with its
// duplicate and email checks after a failed schema, i.e. connkit's work) and a hand-written
// floor, in one Node process, on a valid 3-tag object, a valid 10-tag object and an invalid
// object. Prints ops/s and ratios (what each page loads is sizes.mjs's).
// A benchmark, never a test: it prints figures and fails only if a library gives a wrong verdict.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeAjvStandalone } from './ajv-standalone.mjs';
import { interleaved } from './timing.mjs';
import { makeAjv, makeFloor, makeValibot, makeZodHoisted, makeZodNango } from './libraries.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const PKG = process.env.CONNKIT_PACKAGE; // the installed package directory
if (!PKG) throw new Error('run through cargo xtask bench');

// ajv standalone: compiled once to an ES module, as a build step would.
const ajvFile = writeAjvStandalone(join(here, '..', 'node_modules', '.cache', 'connkit-bench'));
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

for (const [scenario, input] of Object.entries(INPUTS)) {
  for (const [name, fn] of Object.entries(LIBRARIES)) {
    const verdict = fn(input).ok;
    if (verdict !== EXPECT_OK[scenario]) throw new Error(`${name} gives ok=${verdict} on ${scenario}`);
  }
}

const ROUNDS = 9;
const results = {};
const ratios = {};
for (const [scenario, input] of Object.entries(INPUTS)) {
  const { ops, ratio } = interleaved(LIBRARIES, [input], { reference: 'connkit', rounds: ROUNDS });
  results[scenario] = ops;
  ratios[scenario] = ratio;
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

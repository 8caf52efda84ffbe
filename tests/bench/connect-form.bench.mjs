// `cargo xtask bench` (JavaScript part): the speed of what the connect-form page does, against
// Connect UI's own approach (connect-ui.mjs: the form's zod 4.0.5 schema built from the provider
// entry, zod without JIT), in one Node process, on real providers from @nangohq/providers:
// freshdesk (BASIC, a pattern), zendesk (OAUTH2, a pattern) and datadog (API_KEY, patterns and
// an enum). Two rows per provider:
// - opening the form: connkit's `buildForm` against building Connect UI's schema;
// - a keystroke: connkit's `validateConnectionConfig` given the form `buildForm` returned (as the
//   package README says a form page does), against `schema.safeParse` of the form's values
//   (Connect UI runs its resolver's parseAsync; safeParse is zod's fastest call). The keystrokes
//   type each field's value a character at a time, so many states are invalid.
// The two must agree on every state's verdict. A benchmark, never a test: it prints figures.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getProvider } from '@nangohq/providers';
import { configureZodAsConnectUi, connectUiFormSchema } from './connect-ui.mjs';
import { interleaved } from './timing.mjs';

const PKG = process.env.CONNKIT_PACKAGE; // the installed package directory
if (!PKG) throw new Error('run through cargo xtask bench');
const connkit = await import(pathToFileURL(join(PKG, 'node.js')));
configureZodAsConnectUi();

/** What the user types, per field (`group.name`); a select is chosen in one step. */
const TYPED = {
  freshdesk: { 'params.subdomain': 'acme-support', 'credentials.username': 'f2Kx9Lq0Zt8mWv1Ry3Pd' },
  zendesk: { 'params.subdomain': 'acme-support' },
  datadog: {
    'params.siteParameter': 'datadoghq.eu',
    'credentials.apiKey': '4f3c12efb9659a0b5c123b568745dbf9',
    'params.applicationKey': '5d8a7b3f2dc8bce1b234e7f1a1ac54728dbf9e4a7',
  },
};

/** The form's values after each keystroke, from its initial values, in the form's field order. */
function keystrokes(form, typed) {
  const values = {};
  for (const field of form.fields) {
    values[field.group] ??= {};
    values[field.group][field.name] = field.initial ?? '';
  }
  const copy = () => JSON.parse(JSON.stringify(values));
  const states = [copy()];
  for (const field of form.fields) {
    const text = typed[`${field.group}.${field.name}`];
    if (text === undefined) continue;
    const steps = field.kind === 'select' ? [text] : Array.from(text, (_, i) => text.slice(0, i + 1));
    for (const step of steps) {
      values[field.group][field.name] = step;
      states.push(copy());
    }
  }
  return states;
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const met = (ok) => (ok ? 'met' : 'NOT met');
const ROUNDS = 9;
const rows = [];
for (const [name, typed] of Object.entries(TYPED)) {
  const provider = { name, ...getProvider(name) };
  const built = connkit.buildForm(provider);
  if (!built.ok) throw new Error(`buildForm rejects ${name}`);
  const states = keystrokes(built.value, typed);
  const schema = connectUiFormSchema(provider);
  const form = built.value;
  let valid = 0;
  for (const values of states) {
    const ours = connkit.validateConnectionConfig(form, values).ok;
    if (ours !== connkit.validateConnectionConfig(provider, values).ok) throw new Error(`${name}: the built form and the provider disagree`);
    const theirs = schema.safeParse(values).success;
    if (ours !== theirs) throw new Error(`${name}: connkit says ${ours}, Connect UI ${theirs} on ${JSON.stringify(values)}`);
    valid += ours ? 1 : 0;
  }
  const open = interleaved(
    { connkit: (p) => connkit.buildForm(p), 'Connect UI': (p) => connectUiFormSchema(p) },
    [provider],
    { reference: 'Connect UI', rounds: ROUNDS },
  );
  const key = interleaved(
    { connkit: (v) => connkit.validateConnectionConfig(form, v), 'Connect UI': (v) => schema.safeParse(v) },
    states,
    { reference: 'Connect UI', rounds: ROUNDS },
  );
  rows.push([name, 'opens the form', open]);
  rows.push([name, `a keystroke (${states.length} states, ${valid} valid)`, key]);
}

console.log(`\nthe connect form page: connkit against Connect UI's zod 4.0.5 form schema, calls/s (median of ${ROUNDS} interleaved rounds), Node ${process.version}`);
for (const [name, what, { ops, ratio }] of rows) {
  console.log(`  ${name.padEnd(10)} ${what.padEnd(34)} connkit ${fmt(ops.connkit).padStart(9)}/s  Connect UI ${fmt(ops['Connect UI']).padStart(9)}/s  ${ratio.connkit.toFixed(2)}× Connect UI ${met(ratio.connkit >= 1)}`);
}

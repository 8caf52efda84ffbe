// The installed package as a user sees it: ESM named imports, init(), the exported surface
// against index.d.ts, and `pattern` fields on this engine's RegExp. (ERROR_CODES against the
// ErrorCode union: contracts.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as connkit from 'connkit';
import { validateTags, init, validateConnectionConfig } from 'connkit';

const require = createRequire(import.meta.url);
const dts = readFileSync(require.resolve('connkit/package.json').replace(/package\.json$/, 'index.d.ts'), 'utf8');

test('works right after import; init() is a no-op that resolves', async () => {
  assert.deepEqual(validateTags({ Env: 'prod' }), { ok: true, value: { env: 'prod' } });
  assert.equal(await init(), undefined);
  assert.equal(await init(), undefined);
  assert.deepEqual(validateTags({ Env: 'prod' }).value, { env: 'prod' });
});

test('the exports are exactly the functions and constants index.d.ts declares', () => {
  const declared = [...dts.matchAll(/^export (?:function|const) (\w+)/gm)].map((m) => m[1]).sort();
  assert.deepEqual(Object.keys(connkit).sort(), declared);
  for (const name of declared) {
    assert.equal(typeof connkit[name], name === 'ERROR_CODES' ? 'object' : 'function', name);
  }
});

test('a validator never throws on wrong argument types', () => {
  assert.deepEqual(
    validateTags(42).issues.map((it) => [it.code, it.path, it.severity]),
    [['tags_not_object', [], 'error']],
  );
  const r = connkit.interpolateUrl(7, {});
  assert.deepEqual(r.issues.map((it) => [it.code, it.path]), [['value_type_invalid', ['template']]]);
  const s = connkit.signWebhook('s', { not: 'a body' });
  assert.deepEqual(s.issues.map((it) => [it.code, it.path]), [['value_type_invalid', ['body']]]);
  assert.equal(connkit.isEmail(Symbol('x')), false);
});

const provider = (pattern) => ({
  name: 'p',
  display_name: 'P',
  auth_mode: 'NONE',
  connection_config: { host: { type: 'string', pattern } },
});
const check = (pattern, host) => validateConnectionConfig(provider(pattern), { params: { host } });

test('pattern fields run on the JavaScript engine RegExp (unanchored, no flags)', () => {
  // JavaScript-only syntax: [^] (any character), look-behind, named groups.
  assert.equal(check('^[^]+$', 'a\nb').ok, true);
  assert.equal(check('(?<=x)y', 'xy').ok, true);
  assert.deepEqual(check('(?<=x)y', 'zy').issues.map((it) => [it.code, it.path]), [['field_pattern_mismatch', ['params', 'host']]]);
  assert.equal(check('^(?<name>[a-z]+)$', 'abc').ok, true);
  // Without the u flag, an astral character is two code units.
  assert.equal(check('^.$', '😀').ok, false);
  assert.equal(check('^..$', '😀').ok, true);
  // Salesforce's look-ahead pattern from providers.yaml.
  const sf = '^(?!(?:.*\\.)?[Ll][Ii][Gg][Hh][Tt][Nn][Ii][Nn][Gg]\\.([Ff][Oo][Rr][Cc][Ee]|[Ss][Aa][Ll][Ee][Ss][Ff][Oo][Rr][Cc][Ee])\\.[Cc][Oo][Mm]$)[a-zA-Z0-9]([a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9\\-]{0,61}[a-zA-Z0-9])?)*$';
  assert.equal(check(sf, 'acme.my.salesforce.com').ok, true);
  assert.equal(check(sf, 'acme.lightning.force.com').ok, false);
  // A pattern JavaScript cannot compile is reported and not enforced.
  const bad = check('[z-a]', 'anything');
  assert.equal(bad.ok, true);
  assert.deepEqual(bad.warnings.map((it) => [it.code, it.path, it.severity]), [['field_pattern_unusable', ['params', 'host'], 'warning']]);
});

// The installed package through require() (CommonJS).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const connkit = require('connkit');

test('require("connkit") gives every export, ready to use', async () => {
  assert.deepEqual(connkit.validateTags({ Env: 'prod' }), { ok: true, value: { env: 'prod' } });
  assert.equal(connkit.parseTagFilterQuery('tags[Env]=prod').value.env, 'prod');
  assert.equal(await connkit.init(), undefined);
  assert.ok(connkit.ERROR_CODES.includes('tag_key_invalid'));
  const esm = require('connkit');
  assert.equal(esm, connkit);
});

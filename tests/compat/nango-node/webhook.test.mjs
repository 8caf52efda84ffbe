// Compatibility: auth webhooks signed by connkit-core are accepted by the real `@nangohq/node`
// 0.71.4 client (`verifyIncomingWebhookRequest`, and the deprecated signature check), and their
// bytes equal fast-safe-stringify's `stableStringify`, which Nango uses to write them.
// Payloads are random (seeded) JSON with the shapes that matter: array-index keys, unicode keys
// and values, nested objects and arrays, numbers in JavaScript's awkward forms.
//
// run: CONNKIT_JSONL_BIN=<the `jsonl` driver of tests/drivers/> node --test tests/compat/nango-node/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Nango } = require('@nangohq/node');
const { stableStringify } = require('fast-safe-stringify');

const BIN = process.env.CONNKIT_JSONL_BIN;
const N = Number(process.env.CONNKIT_WEBHOOK_CASES ?? 2000);

let state = 0x5eed;
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(state ^ (state >>> 15), state | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (items) => items[Math.floor(rand() * items.length)];
const KEYS = ['connectionId', 'b', 'B', '_', '10', '2', '01', 'é', 'z😀', 'tags', 'end_user_id', '4294967295', '0'];
const SCALARS = ['', 'x', 'é "q" \\ \n', '😀', 0, -0, 1.5, 1e21, 1e-7, 123456789012, true, false, null];

function value(depth) {
  const r = rand();
  if (depth <= 0 || r < 0.5) return pick(SCALARS);
  if (r < 0.7) return Array.from({ length: Math.floor(rand() * 3) }, () => value(depth - 1));
  return object(depth - 1);
}
function object(depth) {
  const out = {};
  const n = Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) out[pick(KEYS)] = value(depth);
  return out;
}

async function signAll(cases) {
  assert.ok(BIN, 'set CONNKIT_JSONL_BIN to the `jsonl` driver binary (tests/drivers/)');
  const child = spawn(BIN, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  child.stdin.write(cases.map((c) => JSON.stringify({ op: 'sign', secret: c.secret, input: c.payload })).join('\n') + '\n');
  child.stdin.end();
  const out = [];
  for (let i = 0; i < cases.length; i++) {
    const { value: line, done } = await lines.next();
    assert.equal(done, false, 'the connkit driver stopped early');
    out.push(JSON.parse(line));
  }
  return out;
}

test(`${N} connkit-signed webhooks verify with @nangohq/node 0.71.4`, async () => {
  const cases = Array.from({ length: N }, (_, i) => {
    const payload = { from: 'nango', type: 'auth', operation: 'creation', success: true, connectionId: `c${i}`, ...object(3) };
    return { secret: pick(['secret', 'whsec-é-1', '0c8f5a3e-1b2d-4c5e-9f60-7a8b9c0d1e2f', '']), payload };
  });
  const signed = await signAll(cases);
  let verified = 0;
  for (const [i, c] of cases.entries()) {
    const { body, hmac, legacy } = signed[i];
    assert.equal(body, stableStringify(c.payload), `bytes differ for case ${i}`);
    const nango = new Nango({ secretKey: 'unused-api-key', webhookSigningKey: c.secret || undefined });
    if (!c.secret) continue; // the client falls back to its secret key when no signing key is set
    const headers = { 'X-Nango-Hmac-Sha256': hmac, 'X-Nango-Signature': legacy };
    assert.equal(nango.verifyIncomingWebhookRequest(body, headers), true, `case ${i} rejected`);
    assert.equal(nango.verifyIncomingWebhookRequest(body + ' ', headers), false, `tampered case ${i} accepted`);
    verified++;
  }
  assert.ok(verified > N / 2, `only ${verified} cases verified`);
});

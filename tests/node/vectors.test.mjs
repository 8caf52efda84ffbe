// Every conformance vector through the installed package (see vectors.mjs), in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as connkit from 'connkit';
import { runVectors } from './vectors.mjs';

const dir = process.env.CONNKIT_VECTORS;

test('all conformance vectors pass in Node', () => {
  assert.ok(dir, 'CONNKIT_VECTORS names tests/vectors');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => ({ name, json: JSON.parse(readFileSync(join(dir, name), 'utf8')) }));
  const out = runVectors(connkit, files);
  console.log(`vectors: ${out.total} cases, ${out.passed} run and passed, skipped ${JSON.stringify(out.skipped)}, partly run ${JSON.stringify(out.partial)}`);
  assert.deepEqual(out.failures, []);
  assert.ok(out.total >= 566, `only ${out.total} vectors`);
  const skipped = Object.values(out.skipped).reduce((a, b) => a + b, 0);
  assert.equal(out.passed + skipped, out.total);
  assert.ok(out.passed >= 490, `only ${out.passed} vectors ran`);
});

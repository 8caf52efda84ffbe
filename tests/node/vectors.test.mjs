// Every conformance vector through the installed package (see vectors.mjs), in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as connkit from 'connkit';
import { vectorFiles } from './vector-files.mjs';
import { runVectors } from './vectors.mjs';

test('all conformance vectors pass in Node', () => {
  const out = runVectors(connkit, vectorFiles());
  console.log(`vectors: ${out.total} cases, ${out.passed} run and passed, skipped ${JSON.stringify(out.skipped)}, partly run ${JSON.stringify(out.partial)}`);
  assert.deepEqual(out.failures, []);
  assert.ok(out.total >= 566, `only ${out.total} vectors`);
  const skipped = Object.values(out.skipped).reduce((a, b) => a + b, 0);
  assert.equal(out.passed + skipped, out.total);
  assert.ok(out.passed >= 490, `only ${out.passed} vectors ran`);
});

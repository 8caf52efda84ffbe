// Every conformance vector through the installed package (see vectors.mjs), in Node; and the
// package README's list of what it deliberately leaves out names every reason the runner skips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as connkit from 'connkit';
import { vectorFiles } from './vector-files.mjs';
import { runVectors } from './vectors.mjs';

const out = runVectors(connkit, vectorFiles());

test('all conformance vectors pass in Node', () => {
  console.log(`vectors: ${out.total} cases, ${out.passed} run and passed, skipped ${JSON.stringify(out.skipped)}, partly run ${JSON.stringify(out.partial)}`);
  assert.deepEqual(out.failures, []);
  assert.ok(out.total >= 566, `only ${out.total} vectors`);
  const skipped = Object.values(out.skipped).reduce((a, b) => a + b, 0);
  assert.equal(out.passed + skipped, out.total);
  assert.ok(out.passed >= 490, `only ${out.passed} vectors ran`);
});

test('the README says why the package leaves out each rule the vectors skip', () => {
  // npm::test copies the package README beside this file.
  const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
  const section = readme.split('\n## Deliberately not exposed\n')[1]?.split('\n## ')[0] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| ---')).slice(1);
  const listed = rows.flatMap((row) => row.split('|')[1].split(',').map((reason) => reason.trim()));
  const reasons = [...Object.keys(out.skipped), ...Object.keys(out.partial)];
  assert.ok(reasons.length > 0);
  assert.deepEqual(reasons.filter((reason) => !listed.includes(reason)), []);
});

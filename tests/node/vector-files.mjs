// The conformance vector files for the Node tests: every `tests/vectors/*.json` (the directory
// `cargo xtask npm` names in CONNKIT_VECTORS), parsed, in name order, as `runVectors` takes them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** `[{ name, json }]` for every vector file. */
export function vectorFiles() {
  const dir = process.env.CONNKIT_VECTORS;
  assert.ok(dir, 'CONNKIT_VECTORS names tests/vectors');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => ({ name, json: JSON.parse(readFileSync(join(dir, name), 'utf8')) }));
}

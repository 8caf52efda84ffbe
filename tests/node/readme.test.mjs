// Every ```js example of the package README runs, as its own ES module in the scratch project
// (where `connkit` is installed); the examples assert their own results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test('the README has examples', () => {
  assert.ok(examples.length >= 3, `${examples.length} examples`);
});

examples.forEach((code, i) => {
  test(`README example ${i + 1} runs`, () => {
    const dir = join(here, '..', 'readme-examples');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `example-${i + 1}.mjs`);
    writeFileSync(file, code);
    execFileSync(process.execPath, [file], { stdio: 'inherit' });
  });
});

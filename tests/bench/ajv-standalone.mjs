// ajv standalone for the benchmarks: the tags JSON Schema (libraries.mjs) compiled once to an ES
// module, as a build step would, so the speed benchmark can import it and the size benchmark
// can bundle it. Shared by validate-tags.bench.mjs and sizes.mjs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { TAGS_JSON_SCHEMA } from './libraries.mjs';

/** Writes the compiled validator under `dir`; returns the file's path. */
export function writeAjvStandalone(dir) {
  mkdirSync(dir, { recursive: true });
  const ajv = new Ajv({ allErrors: true, code: { source: true, esm: true } });
  const file = join(dir, 'ajv-tags.mjs');
  // ajv's `esm` output still require()s its runtime helpers: turn those into imports.
  const code = standaloneCode(ajv, ajv.compile(TAGS_JSON_SCHEMA)).replace(
    /const (\w+) = require\("([^"]+)"\)\.default;/g,
    'import $1_module from "$2.js"; const $1 = $1_module.default;',
  );
  writeFileSync(file, code);
  return file;
}

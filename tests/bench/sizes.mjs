// `cargo xtask bench` (JavaScript part): what a page loads, against the per-page budgets. Each
// page is an entry that imports some of the installed package's exports, built by Vite 7 for the
// browser (production, minified); its size is the gzip -9 of every .js and .wasm file it loads.
// Pages: the three the budgets name (checks tags, builds tag filters, renders and checks a
// connect form), then every other export on its own, then the anchors (zod 4.0.5 whole, which the
// connect form page's 47 KB stands for; Connect UI's own form check, connect-ui.mjs; the tags
// rule in zod as Nango writes it, valibot, ajv standalone and a hand-written floor) and, for
// information, the whole package. Also writes the table as Markdown (`sizes.md` in CONNKIT_BENCH_OUT), the
// one the package README shows.
// A benchmark, never a test: it prints figures and "met" or "NOT met"; it fails only if a build does.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { writeAjvStandalone } from './ajv-standalone.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const PKG = process.env.CONNKIT_PACKAGE; // the installed package directory
const OUT = process.env.CONNKIT_BENCH_OUT;
if (!PKG || !OUT) throw new Error('run through cargo xtask bench');

// The budgets of issue 18, in bytes of gzip -9 (a KB read as 1,000 bytes: the stricter reading).
const SMALL = 16_000;
const LARGE = 47_000;

/** The pages the budgets name: `[title, exports, budget]`. */
const PAGES = [
  ['checks tags', ['validateTags', 'isEmail', 'errorCodes', 'ERROR_CODES'], SMALL],
  ['builds tag filters', ['tagFilterToQuery', 'matchesTagFilter', 'mergeTags'], SMALL],
  ['renders and checks a connect form', ['buildForm', 'validateConnectionConfig'], LARGE],
];

/** The anchors: `[title, entry file in entries/]`. */
const ANCHORS = [
  ['zod 4.0.5, the whole library', 'zod-whole.js'],
  ["Connect UI's form check (zod 4.0.5, shaken)", 'connect-ui.js'],
  ['tags in zod 4.0.5, as Nango writes it', 'zod.js'],
  ['valibot 1.5.0', 'valibot.js'],
  ['ajv 8 standalone', 'ajv.js'],
  ['hand-written JS', 'floor.js'],
];

const connkit = await import(pathToFileURL(join(PKG, 'node.js')));
const named = new Set(PAGES.flatMap(([, exports]) => exports));
const others = Object.keys(connkit).filter((name) => name !== 'init' && !named.has(name)).sort();

const ajvFile = writeAjvStandalone(join(here, '..', 'node_modules', '.cache', 'connkit-bench'));
const generated = join(OUT, 'entries');
mkdirSync(generated, { recursive: true });

/** An entry that imports `exports` from the package and keeps them. */
function connkitEntry(file, exports) {
  const path = join(generated, file);
  const list = exports.join(', ');
  writeFileSync(path, `import { ${list} } from 'connkit';\nwindow.page = { ${list} };\n`);
  return path;
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** Builds `entry` with Vite 7; `{ gz, raw, parts }` of what the page loads. */
async function pageSize(name, entry) {
  const outDir = join(OUT, 'pages', name);
  await build({
    configFile: false,
    logLevel: 'silent',
    root: here,
    resolve: {
      alias: [
        { find: /^connkit$/, replacement: join(PKG, 'browser.js') },
        { find: /^ajv-standalone-tags$/, replacement: ajvFile },
      ],
    },
    build: { outDir, emptyOutDir: true, rollupOptions: { input: entry } },
  });
  // What a page loads: every script chunk and the wasm files a script names (Vite also emits
  // the wasm of a module it tree-shook away; no page ever fetches that one).
  const all = readdirSync(join(outDir, 'assets'));
  const scripts = all.filter((f) => f.endsWith('.js'));
  const text = scripts.map((f) => readFileSync(join(outDir, 'assets', f), 'utf8')).join('\n');
  const files = all.filter((f) => f.endsWith('.js') || text.includes(f));
  let raw = 0;
  let gz = 0;
  const parts = [];
  for (const f of files) {
    const bytes = readFileSync(join(outDir, 'assets', f));
    const z = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gz += z;
    parts.push(`${f.replace(/-[\w-]{8}\./, '.')} ${fmt(z)}`);
  }
  return { gz, raw, parts };
}

const rows = []; // [group, title, gz, budget or null, parts]
for (const [title, exports, budget] of PAGES) {
  const size = await pageSize(exports[0], connkitEntry(`${exports[0]}.js`, exports));
  rows.push(['page', `${title} (${exports.join(', ')})`, size, budget]);
}
for (const name of others) {
  rows.push(['export', name, await pageSize(name, connkitEntry(`${name}.js`, [name])), LARGE]);
}
for (const [title, file] of ANCHORS) {
  rows.push(['anchor', title, await pageSize(file.replace(/\.js$/, ''), join(here, 'entries', file)), null]);
}
rows.push(['package', 'the whole package, every export', await pageSize('all', connkitEntry('all.js', Object.keys(connkit))), null]);

const met = (ok) => (ok ? 'met' : 'NOT met');
const heading = {
  page: 'pages',
  export: 'every other export on its own',
  anchor: "anchors: zod whole, Connect UI's form check, the tags rule in each library",
  package: 'for information (no budget)',
};
console.log('\nwhat a page loads: gzip -9 of every .js and .wasm file of its Vite 7 production build');
let group = '';
for (const [g, title, size, budget] of rows) {
  if (g !== group) console.log(`\n  ${heading[(group = g)]}`);
  const against = budget === null ? '' : `  ≤ ${fmt(budget)} B ${met(size.gz <= budget)}`;
  console.log(`    ${title.padEnd(44)} ${fmt(size.gz).padStart(8)} B${against}   (${size.parts.join(', ')})`);
}
const anchor = (file) => rows.find(([g, title]) => g === 'anchor' && title === ANCHORS.find(([, f]) => f === file)[0])[2].gz;
const form = rows.find(([, title]) => title.startsWith('renders and checks'))[2].gz;
console.log(`\n  the connect form page against zod 4.0.5 whole, same run: ${(form / anchor('zod-whole.js')).toFixed(2)}× (${met(form <= anchor('zod-whole.js'))})`);
console.log(`  (for comparison: ${(form / anchor('connect-ui.js')).toFixed(2)}× Connect UI's form check, which ships only the parts of zod it uses)`);
const failed = rows.filter(([, , size, budget]) => budget !== null && size.gz > budget).length;
console.log(`  budgets: ${rows.filter(([, , , b]) => b !== null).length - failed} met, ${failed} not met`);

// The same table in Markdown, for the package README.
const md = ['| page | gzip -9 | budget |', '| --- | ---: | ---: |'];
for (const [g, title, size, budget] of rows) {
  const what = g === 'export' ? `\`${title}\` alone` : g === 'anchor' ? `anchor: ${title}` : title;
  // A page's exports, in code type.
  const shown = g === 'page' ? what.replace(/\(([^)]*)\)$/, (_, list) => `(${list.split(', ').map((n) => `\`${n}\``).join(', ')})`) : what;
  md.push(`| ${shown} | ${fmt(size.gz)} B | ${budget === null ? '' : `≤ ${fmt(budget)} B`} |`);
}
writeFileSync(join(OUT, 'sizes.md'), `${md.join('\n')}\n`);

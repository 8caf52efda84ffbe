// The installed package in a Vite 7 app (no plugins), built, served, and run in headless Chromium
// (Debian's, through playwright-core): every conformance vector, the page's own use of
// validateTags, and a tags-only page whose bundle must not contain the larger wasm module.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

const APP = process.env.CONNKIT_APP;
const VECTORS = process.env.CONNKIT_VECTORS;
let server;
let browser;
let base;

async function viteBuild(outDir, input) {
  await build({
    root: APP,
    logLevel: 'warn',
    base: './',
    build: { outDir, emptyOutDir: true, rollupOptions: { input: join(APP, input) } },
  });
}

before(async () => {
  assert.ok(APP && VECTORS, 'CONNKIT_APP and CONNKIT_VECTORS are set by cargo xtask npm');
  await viteBuild(join(APP, 'dist'), 'index.html');
  await viteBuild(join(APP, 'dist-tags'), 'tags.html');
  server = await serve(APP);
  base = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function open(path) {
  const page = await browser.newPage();
  const errors = [];
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(base + path);
  await page.waitForFunction(() => window.connkitReady === true, null, { timeout: 15000 });
  return { page, errors, requests };
}

test('every conformance vector passes in Chromium, as in Node', async () => {
  const { page, errors } = await open('dist/index.html');
  const ua = await page.evaluate(() => navigator.userAgent);
  assert.match(ua, /Chrome/);
  const files = readdirSync(VECTORS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(VECTORS, name), 'utf8') }));
  // Sent as text and parsed in the page: Playwright's own serialisation drops "__proto__" keys.
  const out = await page.evaluate(
    (f) => window.runVectors(f.map(({ name, text }) => ({ name, json: JSON.parse(text) }))),
    files,
  );
  console.log(`chromium vectors: ${out.total} cases, ${out.passed} run and passed, skipped ${JSON.stringify(out.skipped)}`);
  assert.deepEqual(out.failures, []);
  assert.ok(out.total >= 566);
  assert.ok(out.passed >= 490, `only ${out.passed} ran`);
  assert.deepEqual(errors, []);
});

test('the page validates what the user types; patterns use Chromium RegExp', async () => {
  const { page, errors } = await open('dist/index.html');
  await page.locator('#tags').fill('{"1a": "", "Env": "prod"}');
  await page.locator('#check').click();
  assert.equal(await page.locator('#out').getAttribute('data-error-code'), 'tag_key_invalid tag_value_empty');
  await page.locator('#tags').fill('{"Env": "prod"}');
  await page.locator('#check').click();
  assert.equal(await page.locator('#out').textContent(), '{"env":"prod"}');
  const verdicts = await page.evaluate(() => {
    const provider = (pattern) => ({ display_name: 'P', auth_mode: 'NONE', connection_config: { h: { type: 'string', pattern } } });
    const check = (pattern, h) => window.connkit.validateConnectionConfig(provider(pattern), { params: { h } });
    return [check('(?<=x)y', 'xy').ok, check('(?<=x)y', 'zy').ok, check('^.$', '😀').ok, check('[z-a]', 'q').warnings[0].code];
  });
  assert.deepEqual(verdicts, [true, false, false, 'field_pattern_unusable']);
  assert.deepEqual(errors, []);
});

test('a page that only validates tags loads only the small wasm module', async () => {
  const { page, errors, requests } = await open('dist-tags/tags.html');
  assert.equal(await page.locator('#out').textContent(), '{"ok":true,"value":{"env":"prod"}}');
  assert.ok(requests.some((u) => /connkit_tags_bg.*\.wasm$/.test(u)), requests.join(', '));
  assert.ok(!requests.some((u) => /connkit_(?!tags_)\w+_bg.*\.wasm$/.test(u)), requests.join(', '));
  const scripts = readdirSync(join(APP, 'dist-tags', 'assets')).filter((f) => f.endsWith('.js'));
  for (const f of scripts) {
    const text = readFileSync(join(APP, 'dist-tags', 'assets', f), 'utf8');
    assert.ok(!text.includes('buildForm') && !text.includes('mergeTags'), f);
  }
  assert.deepEqual(errors, []);
});

// `cargo xtask bench` (widget part), not a test: the gzip -9 size of the widget's first load
// (the /connect/ page: HTML + JS + wasm + CSS) against Nango's Connect UI (165 KB), and in
// headless Chromium the time from session token to an interactive form, and the time of one
// keystroke's live validation, each next to a reference measured in the same run.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { startServer, launch, DIST } from './harness.mjs';

const NANGO_CONNECT_UI_GZIP = 165 * 1024;

function gzipSizes(dir) {
  const rows = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const bytes = readFileSync(path);
    rows.push({ name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  return rows;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// element.js is the custom element's loader, which the /connect/ page does not load; oauth.js
// is imported only when an OAuth attempt starts (oauth-popup.test.mjs checks both).
const LATER = ['element.js', 'oauth.js'];
const widget = gzipSizes(join(DIST, 'connect')).filter((r) => !LATER.includes(r.name));
const demo = gzipSizes(DIST);
const total = (rows) => rows.reduce((n, r) => n + r.gzip, 0);
console.log('widget first load (/connect/), gzip -9:');
for (const r of widget) console.log(`  ${r.name.padEnd(48)} ${String(r.raw).padStart(8)} B raw ${String(r.gzip).padStart(8)} B gzip`);
console.log(`  total ${(total(widget) / 1024).toFixed(1)} KB = ${(total(widget) / NANGO_CONNECT_UI_GZIP).toFixed(2)}x Nango's Connect UI (165 KB)`);
console.log(`demo page (/), gzip -9: ${(total(demo) / 1024).toFixed(1)} KB`);

const server = await startServer();
const browser = await launch();
try {
  const session = async () => {
    const res = await fetch(`${server.base}/demo/api/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tags: { end_user_id: 'bench' }, allowed_integrations: ['demo-api-key'] }),
    });
    return (await res.json()).data.token;
  };
  // Token → interactive form (the only allowed integration opens directly), fresh page each time.
  const toForm = [];
  const toBlank = [];
  for (let i = 0; i < 12; i++) {
    const token = await session();
    const page = await browser.newPage();
    const t0 = Date.now();
    await page.goto(`${server.base}/connect/?session_token=${token}`);
    await page.getByRole('textbox', { name: 'Demo Subdomain' }).waitFor();
    toForm.push(Date.now() - t0);
    // Reference: loading a static page from the same server.
    const t1 = Date.now();
    await page.goto(`${server.base}/health`);
    toBlank.push(Date.now() - t1);
    await page.close();
  }
  console.log(`token → interactive form: median ${median(toForm.slice(2))} ms ` +
    `(reference, GET /health in the same browser: ${median(toBlank.slice(2))} ms)`);

  // One keystroke: input event → core validation (JS RegExp) → aria-invalid and message updated.
  const page = await browser.newPage();
  await page.goto(`${server.base}/connect/?session_token=${await session()}`);
  const field = page.getByRole('textbox', { name: 'Demo Subdomain' });
  await field.waitFor();
  await field.fill('x');
  await field.blur();
  const perKey = await page.evaluate(async () => {
    const input = [...document.querySelectorAll('input')].find((i) => i.labels?.[0]?.textContent.includes('Demo Subdomain'));
    const settle = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const run = async (el, n) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        el.value = i % 2 ? 'Bad Value!' : 'acme';
        el.dispatchEvent(new Event('input', { bubbles: true }));
        await Promise.resolve();
        if (el.getAttribute('aria-invalid') !== (i % 2 ? 'true' : 'false') && el === input) throw new Error('not updated');
      }
      return (performance.now() - t0) / n;
    };
    await settle();
    const widgetMs = await run(input, 400);
    // Reference: a plain input whose handler tests the same pattern with RegExp and sets the attribute.
    const plain = document.createElement('input');
    document.body.appendChild(plain);
    const re = /^[a-z0-9_-]+$/;
    plain.addEventListener('input', () => plain.setAttribute('aria-invalid', String(!re.test(plain.value))));
    const plainMs = await run(plain, 400);
    return { widgetMs, plainMs };
  });
  console.log(`per keystroke (input → validated, DOM updated): ${(perKey.widgetMs * 1000).toFixed(0)} µs, ` +
    `${(perKey.widgetMs / perKey.plainMs).toFixed(1)}x a hand-written JS handler (${(perKey.plainMs * 1000).toFixed(0)} µs)`);
} finally {
  await browser.close();
  await server.stop();
}

// Browser test harness: a real connkit-server process (demo backend, built dist/, its own SQLite
// file in a temporary directory) and Debian's Chromium driven by playwright-core. Screenshots go
// to CONNKIT_ARTIFACTS (default target/browser-artifacts/ at the repository root).
//
// env: CONNKIT_SERVER_BIN (required), CONNKIT_DIST (default <root>/dist), CHROMIUM (default
// /usr/bin/chromium), CONNKIT_ARTIFACTS.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST = process.env.CONNKIT_DIST ?? join(root, 'dist');
export const ARTIFACTS = process.env.CONNKIT_ARTIFACTS ?? join(root, 'target', 'browser-artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

/** Starts connkit-server in demo mode; resolves `{ base, stop }`. */
export async function startServer(extra = []) {
  const bin = process.env.CONNKIT_SERVER_BIN;
  if (!bin) throw new Error('CONNKIT_SERVER_BIN must name the connkit-server binary');
  const dir = mkdtempSync(join(tmpdir(), 'connkit-browser-'));
  const child = spawn(
    bin,
    ['--demo', '--static-dir', DIST, '--listen', '127.0.0.1:0', '--data-dir', dir, ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RUST_LOG: 'warn' } },
  );
  const lines = createInterface({ input: child.stdout });
  const base = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`connkit-server exited with ${code}`)));
    lines.on('line', (line) => {
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]);
    });
  });
  return {
    base,
    // The files go only once the server has exited: it watches its database and would report
    // them gone while it still runs.
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Launches headless Chromium. Playwright turns Chromium's popup blocker off; `popupBlocker: true`
 * keeps it on, so that a `window.open` without user activation is refused as in a browser.
 */
export function launch({ popupBlocker = false } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    ignoreDefaultArgs: popupBlocker ? ['--disable-popup-blocking'] : [],
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/**
 * A new page that records uncaught errors, console errors and every request path, so tests
 * can assert that none happened (or which did).
 */
export async function newPage(browser, options = {}) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, ...options });
  page.errors = [];
  page.requests = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => {
    // Failed requests the test provokes on purpose (401, 400) are logged by Chromium as errors.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) page.errors.push(m.text());
  });
  page.on('request', (r) => page.requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  return page;
}

/** Saves a screenshot as a test artifact. */
export async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** A connect session from the demo backend for `body` (a POST /connect/sessions body); its token. */
export async function sessionToken(server, body) {
  const res = await fetch(`${server.base}/demo/api/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST /demo/api/sessions answered ${res.status}`);
  return (await res.json()).data.token;
}

/**
 * The host app: another origin serving `html` at `/`; `other(path, res)` answers the rest (404
 * when it is not given). Resolves `{ base, close }`.
 */
export async function startHost(html, other) {
  const host = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    else if (other) await other(path, res);
    else res.writeHead(404).end();
  });
  await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${host.address().port}/`, close: () => host.close() };
}

/** The directory of the real, unchanged `@nangohq/frontend` ES modules. */
const FRONTEND = join(root, 'tests', 'node_modules', '@nangohq', 'frontend', 'dist');

/**
 * A host app on another origin that also serves `@nangohq/frontend` at `/frontend/…` (its page
 * imports `/frontend/index.js`). Resolves what `startHost` does.
 */
export function startSdkHost(html) {
  return startHost(html, async (path, res) => {
    const file = normalize(path.replace(/^\/frontend\//, '')).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(FRONTEND, file));
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
}

/**
 * Mounts the widget with `mountConnect` from the built /connect/ bundle (its style sheet linked
 * once) into `#slot` of the page open in `page`; its events go to `window.events`, its handle to
 * `window.handle`.
 */
export async function mountInline(page, server, token, options = {}) {
  const html = readFileSync(join(DIST, 'connect', 'index.html'), 'utf8');
  const js = /connkit-connect-[0-9a-f]+\.js/.exec(html)?.[0];
  const wasm = /connkit-connect-[0-9a-f]+_bg\.wasm/.exec(html)?.[0];
  const css = /connkit-[0-9a-f]+\.css/.exec(html)?.[0];
  if (!js || !wasm || !css) throw new Error('the /connect/ bundle does not name its files');
  await page.evaluate(async ([t, b, j, w, o, c]) => {
    window.events = [];
    if (!document.querySelector('link[data-connkit]')) {
      const link = Object.assign(document.createElement('link'), { rel: 'stylesheet', href: `${b}/connect/${c}` });
      link.dataset.connkit = '';
      await new Promise((resolve) => { link.onload = resolve; document.head.append(link); });
    }
    const mod = await import(`${b}/connect/${j}`);
    await mod.default({ module_or_path: `${b}/connect/${w}` });
    // Kept: a handle the page drops is collected, and unmounts the widget.
    window.handle = mod.mountConnect(document.getElementById('slot'), {
      ...o, sessionToken: t ?? undefined, apiURL: b, onEvent: (e) => window.events.push(e),
    });
  }, [token, server.base, js, wasm, options, css]);
}

/**
 * What a test file runs against, started before its tests and stopped after them: a
 * connkit-server (`serverArgs(host)` its extra arguments), Chromium, and, when `host` (a page's
 * HTML) is given, a host app on another origin serving it (and `@nangohq/frontend` when `sdk`).
 * Returns the object they are put in: `{ server, browser, host }`.
 */
export function suite({ host, sdk = false, serverArgs = () => [] } = {}) {
  const parts = {};
  before(async () => {
    if (host !== undefined) parts.host = await (sdk ? startSdkHost(host) : startHost(host));
    parts.server = await startServer(serverArgs(parts.host));
    parts.browser = await launch();
  });
  after(async () => {
    await parts.browser?.close();
    parts.host?.close();
    await parts.server?.stop();
  });
  return parts;
}

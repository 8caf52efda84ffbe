// Browser test harness: a real connkit-server process (demo backend, built dist/, its own SQLite
// file in a temporary directory) and Debian's Chromium driven by playwright-core. Screenshots go
// to CONNKIT_ARTIFACTS (default target/browser-artifacts/ at the repository root).
//
// env: CONNKIT_SERVER_BIN (required), CONNKIT_DIST (default <root>/dist), CHROMIUM (default
// /usr/bin/chromium), CONNKIT_ARTIFACTS.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
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
    stop() {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
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

// The widget's flow as the host sees it, through `mountConnect` from the built /connect/
// bundle: a session that allows one integration opens its form at once (no way back to a
// list); "Back" returns to the list and a form picked again starts clean; every outcome
// reaches `onEvent` exactly once; focus moves to each new screen's heading.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, mountInline, sessionToken } from './harness.mjs';
import { Widget } from './pages.mjs';

const HOST_PAGE = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host app</title>'
  + '<link rel="icon" href="data:,"></head><body><div id="slot"></div></body></html>';

const parts = suite({ host: HOST_PAGE });

/** The host page with the widget mounted in `#slot`; events go to `window.events`. */
async function mounted(token) {
  const page = await newPage(parts.browser);
  await page.goto(parts.host.base);
  await mountInline(page, parts.server, token);
  return { page, widget: new Widget(page, page.locator('#slot')) };
}

const events = (page) => page.evaluate(() => window.events);

/** Waits until the focused element is the current screen's heading. */
const headingFocused = (page) => page.waitForFunction(() => {
  const el = document.activeElement;
  return el?.id === 'ck-title' && el.tagName === 'H2' && el.hasAttribute('data-autofocus');
});

test('a session that allows one integration opens its form at once, without a way back', async () => {
  const { page, widget } = await mounted(await sessionToken(parts.server, { tags: { end_user_id: 'flow-one' }, allowed_integrations: ['demo-basic'] }));
  await widget.submitButton.waitFor();
  assert.equal(await page.locator('.ck-back').count(), 0);
  assert.equal(await widget.search.count(), 0, 'no list was shown');
  await headingFocused(page);
  assert.deepEqual((await events(page)).map((e) => e.type), ['ready']);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Back returns to the list, a form picked again starts clean, each outcome is reported once', async () => {
  const { page, widget } = await mounted(await sessionToken(parts.server, { tags: { end_user_id: 'flow-back' } }));
  await widget.search.waitFor();
  await headingFocused(page);

  // A refusal: the banner shows its code; the host hears of it once.
  await widget.pick('Demo API (API key)');
  await headingFocused(page);
  await widget.field('API Key').fill(`dk_live_${'a'.repeat(1100)}`);
  await widget.field('Demo Subdomain').fill('acme');
  await widget.submit();
  await page.locator('.ck-banner-text').waitFor();
  assert.equal(await widget.bannerCode, 'invalid_body');

  // Back, and the same integration again: nothing of the first form remains.
  await page.locator('.ck-back').click();
  await widget.search.waitFor();
  await headingFocused(page);
  await widget.pick('Demo API (API key)');
  assert.equal(await page.locator('.ck-banner-text').count(), 0);
  assert.equal(await widget.field('API Key').inputValue(), '');

  // Back again, another integration, connected.
  await page.locator('.ck-back').click();
  await widget.pick('Unauthenticated');
  await widget.submit();
  const connectionId = await widget.connected();
  await headingFocused(page);

  const seen = await events(page);
  assert.deepEqual(seen.map((e) => e.type), ['ready', 'error', 'connect']);
  assert.equal(seen[1].payload.errorType, 'invalid_body');
  assert.deepEqual(seen[2].payload, { providerConfigKey: 'unauthenticated', connectionId });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a session that cannot be read ends the flow and is reported once', async () => {
  const { page, widget } = await mounted(`nango_connect_session_${'0'.repeat(64)}`);
  assert.equal(await widget.failedCode(), 'session_expired');
  await headingFocused(page);
  // Later reads or renders must not report it again.
  await page.waitForTimeout(500);
  const seen = await events(page);
  assert.deepEqual(seen.map((e) => e.type), ['ready', 'error']);
  assert.equal(seen[1].payload.errorType, 'session_expired');
  await page.close();
});

// Embedding the widget from another origin: a host page opens it with the real, unchanged
// `@nangohq/frontend` 0.71.4 `openConnectUI({ baseURL, apiURL })` (Connect UI's iframe protocol:
// ready → session_token → connect → close), and a host page mounts it inline with the JS entry
// `mountConnect(element, { sessionToken, apiURL, onEvent })` from the built /connect/ bundle.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, shot, mountInline, sessionToken } from './harness.mjs';
import { Widget } from './pages.mjs';

const HOST_PAGE = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host app</title>
<link rel="icon" href="data:,"></head><body><h1>Host app</h1><div id="slot"></div>
<script type="module">
import Nango from '/frontend/index.js';
window.events = [];
window.openUI = (token, base) => {
  const nango = new Nango({ host: base, connectSessionToken: token });
  window.ui = nango.openConnectUI({ baseURL: base + '/connect/', apiURL: base, onEvent: (e) => window.events.push(e) });
};
</script></body></html>`;

// The host app: another origin, serving its page and @nangohq/frontend's ES modules.
const parts = suite({ host: HOST_PAGE, sdk: true });

test('@nangohq/frontend openConnectUI opens connkit\'s widget and receives its events', async () => {
  const page = await newPage(parts.browser);
  await page.goto(parts.host.base);
  const token = await sessionToken(parts.server, { tags: { end_user_id: 'iframe-user' } });
  await page.evaluate(([t, b]) => window.openUI(t, b), [token, parts.server.base]);
  const frame = page.frameLocator('#connect-ui');
  const widget = new Widget(page, frame);
  await widget.search.waitFor({ timeout: 20_000 });
  await shot(page, 'iframe-01-list');
  await widget.pick('Unauthenticated');
  await widget.submit();
  const connectionId = await widget.connected();
  await widget.finish();
  await page.locator('#connect-ui').waitFor({ state: 'detached' });
  const events = await page.evaluate(() => window.events);
  assert.deepEqual(events.map((e) => e.type), ['ready', 'connect', 'close']);
  assert.deepEqual(events[1].payload, { providerConfigKey: 'unauthenticated', connectionId });
  assert.equal(await page.evaluate(() => document.body.style.overflow), '', 'the SDK restored the page');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('mountConnect renders inline in the host\'s element and unmounts', async () => {
  const page = await newPage(parts.browser);
  await page.goto(parts.host.base);
  const token = await sessionToken(parts.server, { tags: { end_user_id: 'inline-user' } });
  await mountInline(page, parts.server, token);
  const slot = page.locator('#slot');
  const widget = new Widget(page, slot);
  await widget.search.waitFor({ timeout: 20_000 });
  assert.equal(await slot.getByRole('dialog').count(), 0, 'inline, not a dialog');
  await widget.pick('Demo API (API key)');
  await widget.field('API Key').fill('dk_test_abcdefghijklmnop');
  await widget.field('Demo Subdomain').fill('inline');
  await widget.submit();
  const connectionId = await widget.connected();
  await shot(page, 'inline-01-success');
  const events = await page.evaluate(() => window.events);
  assert.deepEqual(events.map((e) => e.type), ['ready', 'connect']);
  assert.equal(events[1].payload.connectionId, connectionId);
  await page.evaluate(() => window.handle.unmount());
  assert.equal(await slot.innerHTML(), '');
  assert.deepEqual(page.errors, []);
  await page.close();
});

// The `<connkit-connect>` custom element in a plain HTML page on another origin: one script tag
// (dist/connect/element.js) and the element. Its events arrive as CustomEvents on the element,
// a token set after it mounted starts the flow, and removing it from the document unmounts it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, shot, startHost, sessionToken } from './harness.mjs';
import { Widget } from './pages.mjs';

const parts = suite();

/** A plain page: the element with `attributes`, a listener recording its events, element.js. */
function plainPage(attributes) {
  const attrs = Object.entries(attributes).map(([k, v]) => `${k}="${v}"`).join(' ');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Plain page</title>
<link rel="icon" href="data:,"></head><body><h1>Plain page</h1>
<connkit-connect ${attrs}></connkit-connect>
<script>
window.events = [];
for (const type of ['ready', 'connect', 'error', 'close']) {
  document.querySelector('connkit-connect').addEventListener(type, (e) => window.events.push({ type, detail: e.detail }));
}
</script>
<script type="module" src="${parts.server.base}/connect/element.js"></script>
</body></html>`;
}

const session = () => sessionToken(parts.server, {
  tags: { end_user_id: 'element-user' },
  allowed_integrations: ['unauthenticated'],
});

test('the element renders the widget inline, dispatches its events and unmounts when removed', async () => {
  const token = await session();
  const host = await startHost(plainPage({ 'session-token': token, 'api-url': parts.server.base, theme: 'dark' }));
  try {
    const page = await newPage(parts.browser);
    await page.goto(host.base);
    const element = page.locator('connkit-connect');
    const widget = new Widget(page, element);
    await widget.submitButton.waitFor({ timeout: 20_000 });
    assert.equal(await element.locator('.ck-widget').getAttribute('data-theme'), 'dark');
    assert.equal(await element.getByRole('dialog').count(), 0, 'inline, not a dialog');
    await widget.submit();
    const connectionId = await widget.connected();
    await shot(page, 'element-01-connected');
    const events = await page.evaluate(() => window.events);
    assert.deepEqual(events.map((e) => e.type), ['ready', 'connect']);
    assert.deepEqual(events[1].detail, { providerConfigKey: 'unauthenticated', connectionId });
    assert.equal(events[0].detail, null);

    await page.evaluate(() => document.querySelector('connkit-connect').remove());
    assert.equal(await page.locator('.ck-widget').count(), 0);
    assert.equal(await page.evaluate(() => window.events.length), 2, 'nothing after removal');
    assert.deepEqual(page.errors, []);
    await page.close();
  } finally {
    host.close();
  }
});

test('a session token set after the element mounted starts the flow', async () => {
  const host = await startHost(plainPage({ 'api-url': parts.server.base }));
  try {
    const page = await newPage(parts.browser);
    await page.goto(host.base);
    await page.waitForFunction(() => window.events.some((e) => e.type === 'ready'), null, { timeout: 20_000 });
    const element = page.locator('connkit-connect');
    assert.equal(await element.locator('.ck-widget').count(), 1, 'mounted, waiting for a token');
    assert.equal(await element.locator('.ck-form').count(), 0);
    const token = await session();
    await page.evaluate((t) => document.querySelector('connkit-connect').setAttribute('session-token', t), token);
    await new Widget(page, element).submitButton.waitFor({ timeout: 20_000 });
    assert.equal(await element.locator('.ck-widget').count(), 1, 'one widget, mounted afresh');
    assert.deepEqual(page.errors, []);
    await page.close();
  } finally {
    host.close();
  }
});

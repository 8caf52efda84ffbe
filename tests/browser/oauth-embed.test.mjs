// OAUTH2 from another origin: Connect UI's `openConnectUI` of the real, unchanged
// `@nangohq/frontend` 0.71.4 opening connkit's /connect/ iframe (its popup, and its redirect mode
// through the whole tab); `mountConnect` in redirect mode returning to the host page; and the
// SDK's own `nango.auth(key, { params })` against connkit-server and its local provider,
// resolving with the connection, or rejecting (not hanging) when the subdomain is missing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, shot, mountInline, sessionToken } from './harness.mjs';
import { Consent, OAuthWidget } from './pages.mjs';

const HOST_PAGE = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host app</title>
<link rel="icon" href="data:,"></head><body><h1>Host app</h1><div id="slot"></div>
<script type="module">
import Nango from '/frontend/index.js';
window.events = [];
window.openUI = (token, base, baseURL) => {
  const nango = new Nango({ host: base, connectSessionToken: token });
  window.ui = nango.openConnectUI({ baseURL, apiURL: base, onEvent: (e) => window.events.push(e) });
};
window.auth = (token, base, key, options) => new Nango({ host: base, connectSessionToken: token })
  .auth(key, options)
  .then((ok) => ({ ok }), (e) => ({ error: { type: e.type, message: e.message } }));
</script></body></html>`;

// The host page is an origin redirect-mode flows may return to.
const parts = suite({ host: HOST_PAGE, sdk: true, serverArgs: (h) => ['--oauth-return-origin', new URL(h.base).origin] });

/** A session for Demo Tickets only (the widget opens its form at once). */
const oauthSession = (user) => sessionToken(parts.server, { tags: { end_user_id: user }, allowed_integrations: ['demo-oauth2'] });

test('openConnectUI from another origin: the iframe\'s popup connects, the host hears connect and close', async () => {
  const page = await newPage(parts.browser);
  await page.goto(parts.host.base);
  const token = await oauthSession('iframe-oauth');
  await page.evaluate(([t, b]) => window.openUI(t, b, `${b}/connect/`), [token, parts.server.base]);
  const widget = new OAuthWidget(page, page.frameLocator('#connect-ui'));
  await widget.field('Tickets Workspace').fill('acme');
  const popup = await widget.submitToPopup();
  await new Consent(popup).approve();
  const connectionId = await widget.connected();
  await shot(page, 'oauth-embed-01-iframe-success');
  await widget.finish();
  await page.locator('#connect-ui').waitFor({ state: 'detached' });
  const events = await page.evaluate(() => window.events);
  assert.deepEqual(events.map((e) => e.type), ['ready', 'connect', 'close']);
  assert.deepEqual(events[1].payload, { providerConfigKey: 'demo-oauth2', connectionId });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('openConnectUI in redirect mode: the tab goes through the provider and ends on the connect page', async () => {
  const page = await newPage(parts.browser);
  await page.goto(parts.host.base);
  const token = await oauthSession('iframe-redirect');
  await page.evaluate(([t, b]) => window.openUI(t, b, `${b}/connect/?redirect=true`), [token, parts.server.base]);
  const widget = new OAuthWidget(page, page.frameLocator('#connect-ui'));
  await widget.field('Tickets Workspace').fill('beta');
  // A frame may send its top page away only with the press's user activation.
  await widget.submit();
  const consent = new Consent(page);
  assert.equal(await consent.ready(), 'beta');
  await consent.approve();
  const top = new OAuthWidget(page);
  const connectionId = await top.connected();
  const url = new URL(page.url());
  assert.equal(url.origin + url.pathname, `${parts.server.base}/connect/`, 'the connect page, at the top of the tab');
  assert.equal(url.searchParams.get('connkit_oauth_result'), null, 'the result id is gone');
  assert.equal(await page.getByRole('button', { name: 'Finish' }).count(), 0, 'nothing to finish into');
  assert.equal(await page.getByRole('button', { name: 'Close' }).count(), 0);
  await shot(page, 'oauth-embed-02-link-mode-success');
  const listed = await fetch(`${parts.server.base}/demo/api/connections/${connectionId}?provider_config_key=demo-oauth2`);
  assert.equal(listed.status, 200);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('mountConnect in redirect mode returns to the host page, which mounts the widget again to resume', async () => {
  const page = await newPage(parts.browser);
  await page.goto(`${parts.host.base}?tab=integrations`);
  await mountInline(page, parts.server, await oauthSession('inline-redirect'), { redirect: true });
  const slot = page.locator('#slot');
  const widget = new OAuthWidget(page, slot);
  await widget.field('Tickets Workspace').fill('gamma');
  await widget.submit();
  assert.equal(page.context().pages().length, 1, 'no popup in redirect mode');
  await new Consent(page).approve();
  await page.waitForURL((u) => u.origin === new URL(parts.host.base).origin && u.searchParams.has('connkit_oauth_result'));
  // The host page is loaded afresh; mounting the widget there (no token: it kept its own) resumes.
  await mountInline(page, parts.server, null);
  const connectionId = await widget.connected();
  const events = await page.evaluate(() => window.events);
  assert.deepEqual(events.map((e) => e.type), ['ready', 'connect']);
  assert.deepEqual(events[1].payload, { providerConfigKey: 'demo-oauth2', connectionId });
  assert.equal(new URL(page.url()).search, '?tab=integrations', 'the host\'s own query kept, the result id gone');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('@nangohq/frontend\'s nango.auth connects against connkit-server and the local provider', async () => {
  const page = await newPage(parts.browser);
  await page.goto(parts.host.base);
  const token = await oauthSession('sdk-user');
  const opened = page.context().waitForEvent('page');
  await page.evaluate(([t, b]) => {
    window.pending = window.auth(t, b, 'demo-oauth2', { params: { subdomain: 'acme' } });
  }, [token, parts.server.base]);
  const popup = await opened;
  const consent = new Consent(popup);
  assert.equal(await consent.ready(), 'acme');
  await consent.approve();
  const { ok, error } = await page.evaluate(() => window.pending);
  assert.equal(error, undefined, JSON.stringify(error));
  assert.equal(ok.providerConfigKey, 'demo-oauth2');
  assert.equal(ok.isPending, false);
  const stored = await fetch(`${parts.server.base}/demo/api/connections/${ok.connectionId}?provider_config_key=demo-oauth2`);
  assert.equal(stored.status, 200);
  const connection = await stored.json();
  assert.equal(connection.connection_config.subdomain, 'acme');
  assert.equal(connection.tags.end_user_id, 'sdk-user');
  await page.close();
});

test('@nangohq/frontend\'s nango.auth without the subdomain rejects with url_param_err, not hangs', { timeout: 30_000 }, async () => {
  const page = await newPage(parts.browser);
  await page.goto(parts.host.base);
  const token = await oauthSession('sdk-missing');
  // Bounded by this test's own timeout: a promise that never settles fails the test.
  const { ok, error } = await page.evaluate(([t, b]) => window.auth(t, b, 'demo-oauth2', { params: {} }), [token, parts.server.base]);
  assert.equal(ok, undefined);
  assert.equal(error.type, 'url_param_err');
  await page.close();
});

// The form modes that obtain a token from the provider (spec §3.3, §3.9): through the widget
// (`mountConnect`), an OAUTH2_CC and a TWO_STEP integration connect against connkit-server and
// its local provider, the connection listed with the session's tags; a provider's refusal shows
// its code under the form, keeps what was typed and lets the user try again. The real,
// unchanged `@nangohq/frontend` `nango.auth(key, { credentials })` reaches each mode's endpoint
// and succeeds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, shot, mountInline, sessionToken } from './harness.mjs';
import { Widget } from './pages.mjs';

const HOST_PAGE = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host app</title>
<link rel="icon" href="data:,"></head><body><h1>Host app</h1><div id="slot"></div>
<script type="module">
import Nango from '/frontend/index.js';
window.auth = (token, base, key, options) => new Nango({ host: base, connectSessionToken: token })
  .auth(key, options)
  .then((ok) => ({ ok }), (e) => ({ error: { type: e.type, message: e.message } }));
</script></body></html>`;

const parts = suite({ host: HOST_PAGE, sdk: true });

/** A session for `key` only, for end user `user`. */
const session = (key, user) => sessionToken(parts.server, {
  tags: { end_user_id: user, team: 'ops' },
  allowed_integrations: [key],
});

/** The host page with the widget of a session for `key` mounted in `#slot`. */
async function mounted(key, user) {
  const page = await newPage(parts.browser);
  await page.goto(parts.host.base);
  await mountInline(page, parts.server, await session(key, user));
  const widget = new Widget(page, page.locator('#slot'));
  await widget.submitButton.waitFor();
  return { page, widget };
}

/** Any input of the widget by its label (secret fields are password inputs, not textboxes). */
const input = (widget, label) => widget.root.getByLabel(new RegExp(`^${label}\\b`));

/** The connections listed for `key` (GET /connections through the demo backend). */
async function listed(key) {
  const res = await fetch(`${parts.server.base}/demo/api/connections?integrationId=${key}`);
  assert.equal(res.status, 200);
  return (await res.json()).connections;
}

/** The stored connection. */
async function stored(key, id) {
  const res = await fetch(`${parts.server.base}/demo/api/connections/${id}?provider_config_key=${key}`);
  assert.equal(res.status, 200);
  return res.json();
}

const events = (page) => page.evaluate(() => window.events);

test('OAUTH2_CC through the widget: a refusal keeps the values, the right secret connects', async () => {
  const { page, widget } = await mounted('demo-oauth2-cc', 'widget-cc');
  await input(widget, 'Reports Workspace').fill('acme');
  await input(widget, 'Client ID').fill('demo-client-id');
  await input(widget, 'Client Secret').fill('wrong');
  await widget.submit();
  await page.locator('.ck-banner-text').waitFor();
  assert.equal(await widget.bannerCode, 'client_credentials_fetch_error');
  await shot(page, 'modes-01-cc-refused');
  // What was typed is still there.
  assert.equal(await input(widget, 'Reports Workspace').inputValue(), 'acme');
  assert.equal(await input(widget, 'Client ID').inputValue(), 'demo-client-id');
  assert.equal(await input(widget, 'Client Secret').inputValue(), 'wrong');
  assert.deepEqual(await listed('demo-oauth2-cc').then((l) => l.filter((c) => c.tags?.end_user_id === 'widget-cc')), []);

  await input(widget, 'Client Secret').fill('demo-client-secret');
  await widget.submit();
  const connectionId = await widget.connected();
  await shot(page, 'modes-02-cc-connected');
  assert.ok(page.requests.includes('POST /oauth2/auth/demo-oauth2-cc'), page.requests.join('\n'));

  const seen = await events(page);
  assert.deepEqual(seen.map((e) => e.type), ['ready', 'error', 'connect']);
  assert.equal(seen[1].payload.errorType, 'client_credentials_fetch_error');
  assert.deepEqual(seen[2].payload, { providerConfigKey: 'demo-oauth2-cc', connectionId });

  const entry = (await listed('demo-oauth2-cc')).find((c) => c.connection_id === connectionId);
  assert.ok(entry, 'the connection is listed');
  assert.deepEqual(entry.tags, { end_user_id: 'widget-cc', team: 'ops' });
  const connection = await stored('demo-oauth2-cc', connectionId);
  assert.equal(connection.credentials.type, 'OAUTH2_CC');
  assert.equal(connection.connection_config.subdomain, 'acme');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('TWO_STEP through the widget: the posted values open a session with the provider', async () => {
  const { page, widget } = await mounted('demo-two-step', 'widget-two-step');
  await input(widget, 'Warehouse Workspace').fill('acme');
  await input(widget, 'User').fill('demo-client-id');
  await input(widget, 'Password').fill('demo-client-secret');
  await widget.submit();
  const connectionId = await widget.connected();
  await shot(page, 'modes-03-two-step-connected');
  assert.ok(page.requests.includes('POST /auth/two-step/demo-two-step'), page.requests.join('\n'));
  const entry = (await listed('demo-two-step')).find((c) => c.connection_id === connectionId);
  assert.ok(entry, 'the connection is listed');
  assert.deepEqual(entry.tags, { end_user_id: 'widget-two-step', team: 'ops' });
  const connection = await stored('demo-two-step', connectionId);
  assert.equal(connection.credentials.type, 'TWO_STEP');
  assert.equal(connection.connection_config.subdomain, 'acme');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('TWO_STEP through the widget: a refused password shows the provider\'s refusal', async () => {
  const { page, widget } = await mounted('demo-two-step', 'widget-two-step-refused');
  await input(widget, 'Warehouse Workspace').fill('acme');
  await input(widget, 'User').fill('demo-client-id');
  await input(widget, 'Password').fill('wrong');
  await widget.submit();
  await page.locator('.ck-banner-text').waitFor();
  assert.equal(await widget.bannerCode, 'two_step_credentials_fetch_error');
  assert.equal(await input(widget, 'Password').inputValue(), 'wrong');
  assert.equal(await page.locator('.ck-done').count(), 0);
  await page.close();
});

for (const [key, options, path] of [
  ['demo-oauth2-cc',
    { credentials: { client_id: 'demo-client-id', client_secret: 'demo-client-secret' }, params: { subdomain: 'acme' } },
    'POST /oauth2/auth/demo-oauth2-cc'],
  ['demo-two-step',
    { credentials: { type: 'TWO_STEP', username: 'demo-client-id', password: 'demo-client-secret' }, params: { subdomain: 'acme' } },
    'POST /auth/two-step/demo-two-step'],
]) {
  test(`@nangohq/frontend's nango.auth with credentials connects ${key}`, async () => {
    const page = await newPage(parts.browser);
    await page.goto(parts.host.base);
    const token = await session(key, `sdk-${key}`);
    const { ok, error } = await page.evaluate(([t, b, k, o]) => window.auth(t, b, k, o), [token, parts.server.base, key, options]);
    assert.equal(error, undefined, JSON.stringify(error));
    assert.equal(ok.providerConfigKey, key);
    assert.ok(page.requests.includes(path), page.requests.join('\n'));
    assert.equal(page.context().pages().length, 1, 'no popup');
    const connection = await stored(key, ok.connectionId);
    assert.equal(connection.tags.end_user_id, `sdk-${key}`);
    assert.equal(connection.connection_config.subdomain, 'acme');
    await page.close();
  });
}

test('a TWO_STEP field the integration presets is not asked for', async () => {
  // demo-partner-api's integration sets clientId (integrations.toml): the listing names it in
  // preconfigured_credentials and the form leaves it out, as Connect UI does.
  const { page, widget } = await mounted('demo-partner-api', 'widget-preset');
  await input(widget, 'Key ID').waitFor();
  assert.equal(await input(widget, 'Client ID').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

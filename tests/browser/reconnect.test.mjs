// Reconnecting from the demo's connection list, and the reserved UI tags there: a connection made
// with end_user_display_name and end_user_email is listed under the display name with its
// company badge (initials and domain, from the email); its "Reconnect" opens the widget straight
// on the integration's form with the connection's non-secret connection_config filled in, and
// submitting it overrides the same connection (same id, same tags, an `override` webhook).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { suite, newPage, shot } from './harness.mjs';
import { DemoPage } from './pages.mjs';

const parts = suite();

test('Reconnect on a listed connection overrides it through its own form, keeping its id and tags', async () => {
  const page = await newPage(parts.browser);
  const demo = new DemoPage(page, parts.server.base);
  await demo.goto();
  const user = `user-${randomUUID().slice(0, 8)}`;
  await demo.tag('end_user_id').fill(user);
  await demo.tag('end_user_display_name').fill('Ada Lovelace');
  await demo.tag('end_user_email').fill('ada@analytical-engines.co.uk');

  let widget = await demo.openWidget();
  await widget.pick('Demo API (API key)');
  await widget.field('API Key').fill('dk_live_0123456789abcdef');
  await widget.field('Demo Subdomain').fill('acme');
  await widget.submit();
  const connectionId = await widget.connected();
  await widget.finish();
  await widget.dialog.waitFor({ state: 'detached' });

  // Listed under the end user: display name instead of the id, email, company badge.
  const item = demo.connectionItem(connectionId);
  await item.waitFor({ timeout: 10_000 });
  const name = item.locator('.demo-name');
  assert.equal(await name.getAttribute('data-named'), 'true');
  assert.equal(await name.textContent(), 'Ada Lovelace');
  assert.equal(await item.locator('.demo-email').textContent(), 'ada@analytical-engines.co.uk');
  const company = item.locator('.demo-company');
  assert.equal(await company.getAttribute('data-domain'), 'analytical-engines.co.uk');
  assert.equal(await company.locator('.demo-initials').textContent(), 'AE');
  await shot(page, 'reconnect-01-list');
  const before = await connection(connectionId);

  // Reconnect: straight on the form (no integration list), the subdomain filled in, the key not.
  const posts = page.requests.length;
  widget = await demo.reconnect(connectionId);
  await widget.submitButton.waitFor();
  assert.equal(await widget.search.count(), 0, 'no integration list');
  assert.equal(await widget.field('Demo Subdomain').inputValue(), 'acme');
  assert.equal(await widget.field('API Key').inputValue(), '');
  assert.ok(page.requests.slice(posts).includes('POST /demo/api/sessions/reconnect'));
  await shot(page, 'reconnect-02-form');
  await widget.field('API Key').fill('dk_live_fedcba9876543210');
  await widget.field('Demo Subdomain').fill('beta');
  await widget.submit();
  assert.equal(await widget.connected(), connectionId, 'the same connection');
  await widget.finish();

  const after = await connection(connectionId);
  assert.deepEqual(after.tags, before.tags, 'its tags kept');
  assert.equal(after.tags.end_user_display_name, 'Ada Lovelace');
  assert.deepEqual(after.connection_config, { subdomain: 'beta' });
  await page.locator(`.demo-hook[data-connection-id="${connectionId}"][data-operation="override"]`)
    .waitFor({ timeout: 10_000 });
  assert.equal(await page.locator(`.demo-hook[data-connection-id="${connectionId}"]`).count(), 2,
    'a creation webhook, then an override');
  assert.equal(await page.locator('.demo-conn').count(), 1, 'no second connection');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a connection without reserved UI tags is listed by its id', async () => {
  const page = await newPage(parts.browser);
  const demo = new DemoPage(page, parts.server.base);
  await demo.goto();
  await demo.tag('end_user_id').fill(`user-${randomUUID().slice(0, 8)}`);
  const widget = await demo.openWidget();
  await widget.pick('Unauthenticated');
  await widget.submit();
  const connectionId = await widget.connected();
  await widget.finish();
  const item = demo.connectionItem(connectionId);
  await item.waitFor({ timeout: 10_000 });
  assert.equal(await item.locator('.demo-name').getAttribute('data-named'), 'false');
  assert.equal(await item.locator('.demo-name').textContent(), connectionId);
  assert.equal(await item.locator('.demo-company').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

/** GET /connections/:id of the demo's API key integration, through the demo backend. */
async function connection(id) {
  const res = await fetch(`${parts.server.base}/demo/api/connections/${id}?provider_config_key=demo-api-key`);
  assert.equal(res.status, 200);
  return res.json();
}

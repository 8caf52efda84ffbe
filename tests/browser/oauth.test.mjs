// OAUTH2 in the demo, end to end in headless Chromium against a real connkit-server and its
// local OAuth provider: a subdomain typed in the widget becomes the provider's workspace, the
// person approves in the popup, and the page shows the connection with its tags and the
// verified webhook. With Chromium's popup blocker refusing the popup, the same goes through the
// redirect fallback: the tab itself goes through the provider and the demo resumes on return.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { suite, launch, newPage, shot } from './harness.mjs';
import { Consent, DemoPage, OAuthWidget } from './pages.mjs';

const parts = suite();

/** The demo on `page` with a fresh end user, its widget open on Demo Tickets' form. */
async function oauthForm(page) {
  const demo = new DemoPage(page, parts.server.base);
  await demo.goto();
  const user = `user-${randomUUID().slice(0, 8)}`;
  await demo.tag('end_user_id').fill(user);
  const widget = await demo.openWidget();
  await widget.pick('Demo Tickets (OAuth)');
  return { demo, widget, user };
}

/** The connection's list entry and its verified webhook, both with the user's tag. */
async function assertListedWithWebhook(demo, connectionId, user) {
  const item = demo.connectionItem(connectionId);
  await item.waitFor({ timeout: 10_000 });
  assert.ok((await item.locator('.demo-tag').allTextContents()).includes(`end_user_id${user}`));
  const hook = demo.webhookFor(connectionId);
  await hook.locator('.demo-ok').waitFor({ timeout: 10_000 });
  const tags = await hook.locator('.demo-tag').allTextContents();
  assert.ok(tags.includes(`end_user_id${user}`), tags.join());
}

test('a subdomain typed in the demo, approved in the popup: the connection, its tags, the verified webhook', async () => {
  const page = await newPage(parts.browser);
  const { demo, widget, user } = await oauthForm(page);
  await shot(page, 'oauth-01-form');
  // The field's rule holds before any popup opens.
  await widget.field('Tickets Workspace').fill('Not A Subdomain!');
  await widget.submit();
  assert.equal(await widget.field('Tickets Workspace').getAttribute('aria-invalid'), 'true');
  assert.equal(page.context().pages().length, 1, 'no popup for a refused value');

  await widget.field('Tickets Workspace').fill('acme');
  const popup = await widget.submitToPopup();
  const consent = new Consent(popup);
  assert.equal(await consent.ready(), 'acme', 'the subdomain is the provider\'s workspace');
  await widget.phase('waiting');
  await shot(page, 'oauth-02-waiting');
  await shot(popup, 'oauth-03-consent');
  const closed = popup.waitForEvent('close');
  await consent.approve();
  const connectionId = await widget.connected();
  await closed;
  await shot(page, 'oauth-04-success');
  await widget.finish();
  await assertListedWithWebhook(demo, connectionId, user);
  await demo.pickConnection(connectionId);
  const config = page.locator('[data-field=connection_config]');
  await config.waitFor();
  assert.equal(JSON.parse(await config.textContent()).subdomain, 'acme');
  await shot(page, 'oauth-05-listed');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('with the popup blocked, the same goes through this tab and the demo resumes on return', async () => {
  const blocking = await launch({ popupBlocker: true });
  try {
    const page = await newPage(blocking);
    const { demo, widget, user } = await oauthForm(page);
    await widget.field('Tickets Workspace').fill('beta');
    await widget.submitWithoutActivation();
    await widget.phase('blocked');
    assert.equal(page.context().pages().length, 1, 'Chromium refused the popup');
    await shot(page, 'oauth-06-blocked');
    await widget.continueHereButton.click();

    const consent = new Consent(page);
    assert.equal(await consent.ready(), 'beta');
    assert.match(page.url(), /^http:\/\/beta\.localhost:\d+\/demo\/provider\/authorize\?/);
    await consent.approve();
    // Back on the demo: the widget resumes with the outcome, the result id leaves the address.
    const returned = new OAuthWidget(page);
    const connectionId = await returned.connected();
    assert.equal(new URL(page.url()).search, '', 'the result id is gone from the address bar');
    assert.equal(await demo.tag('end_user_id').inputValue(), user, 'the typed tags came back');
    await shot(page, 'oauth-07-resumed');
    await returned.finish();
    await assertListedWithWebhook(demo, connectionId, user);
    assert.deepEqual(page.errors, []);
    await page.close();
  } finally {
    await blocking.close();
  }
});

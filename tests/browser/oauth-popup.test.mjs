// The OAuth popup as a host page sees it, through `mountConnect` on another origin: the
// provider's refusal shown and reported once; closed-window detection that does not misfire
// (a consent page sent with `Cross-Origin-Opener-Policy: same-origin` cuts the popup off, and
// Chromium then reads it as closed while the person is still signing in); a popup the person
// really closed, opened again or cancelled.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, mountInline, sessionToken, shot } from './harness.mjs';
import { Consent, OAuthWidget } from './pages.mjs';

const HOST_PAGE = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host app</title>'
  + '<link rel="icon" href="data:,"></head><body><div id="slot"></div></body></html>';

const parts = suite({ host: HOST_PAGE });

/** The host page with the widget on Demo Tickets' form, `subdomain` typed; `modules` lists the
 * OAuth module's loads (`oauth.js`, imported only when an attempt starts). */
async function oauthForm(subdomain) {
  const page = await newPage(parts.browser);
  const modules = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.endsWith('/oauth.js')) modules.push(r.url());
  });
  await page.goto(parts.host.base);
  const token = await sessionToken(parts.server, { tags: { end_user_id: 'popup-user' }, allowed_integrations: ['demo-oauth2'] });
  await mountInline(page, parts.server, token);
  const widget = new OAuthWidget(page, page.locator('#slot'));
  await widget.field('Tickets Workspace').fill(subdomain);
  return { page, widget, modules };
}

const events = (page) => page.evaluate(() => window.events);
const types = async (page) => (await events(page)).map((e) => e.type);

test('the provider\'s refusal is shown and reported once; a second press connects', async () => {
  const { page, widget, modules } = await oauthForm('acme');
  assert.deepEqual(modules, [], 'the first load does not carry the OAuth module');
  let popup = await widget.submitToPopup();
  await new Consent(popup).deny();
  await page.locator('.ck-banner-text').waitFor();
  assert.equal(await widget.bannerCode, 'callback_err');
  assert.match(await page.locator('.ck-banner-text').textContent(), /access_denied/, 'the provider\'s error');
  const [, error] = await events(page);
  assert.deepEqual(await types(page), ['ready', 'error']);
  assert.equal(error.payload.errorType, 'callback_err');
  await widget.phase('idle');
  await shot(page, 'oauth-popup-01-denied');

  popup = await widget.submitToPopup();
  await new Consent(popup).approve();
  const connectionId = await widget.connected();
  assert.deepEqual(await types(page), ['ready', 'error', 'connect']);
  assert.deepEqual((await events(page))[2].payload, { providerConfigKey: 'demo-oauth2', connectionId });
  assert.equal(modules.length, 1, 'the module is loaded by the first attempt, once');
  assert.match(modules[0], /\/connect\/oauth\.js$/, 'beside the widget\'s bundle');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a consent page that cuts the popup off (COOP) reads as closed, yet the flow finishes without an error', async () => {
  const { page, widget } = await oauthForm('coop-acme');
  const popup = await widget.submitToPopup();
  const consent = new Consent(popup);
  assert.equal(await consent.ready(), 'coop-acme');
  // The opener reads the popup as closed (the widget says so after its grace period)…
  await widget.phase('closed');
  await shot(page, 'oauth-popup-02-coop-closed');
  assert.deepEqual(await types(page), ['ready'], 'no error while the person signs in');
  assert.equal(await page.locator('.ck-banner-text').count(), 0, 'no failure shown');
  // …while the person is still signing in: the WebSocket brings the outcome.
  await consent.approve();
  const connectionId = await widget.connected();
  assert.deepEqual(await types(page), ['ready', 'connect']);
  assert.equal((await events(page))[1].payload.connectionId, connectionId);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a popup the person closed: the widget offers to open it again, and the flow goes on there', async () => {
  const { page, widget } = await oauthForm('gamma');
  const first = await widget.submitToPopup();
  await new Consent(first).ready();
  await first.close();
  await widget.phase('closed');
  assert.deepEqual(await types(page), ['ready'], 'closing is no error by itself');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Open the window again',
    'focus moves to the first choice');
  const [second] = await Promise.all([page.context().waitForEvent('page'), widget.reopenButton.click()]);
  await widget.phase('waiting');
  await new Consent(second).approve();
  await widget.connected();
  assert.deepEqual(await types(page), ['ready', 'connect']);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a popup the person closed, then Cancel: window_closed, reported once, the form kept', async () => {
  const { page, widget } = await oauthForm('acme');
  const popup = await widget.submitToPopup();
  await new Consent(popup).ready();
  await popup.close();
  await widget.phase('closed');
  await widget.cancelButton.click();
  await page.locator('.ck-banner-text').waitFor();
  assert.equal(await widget.bannerCode, 'window_closed');
  assert.deepEqual(await types(page), ['ready', 'error']);
  assert.equal((await events(page))[1].payload.errorType, 'window_closed');
  assert.equal(await widget.field('Tickets Workspace').inputValue(), 'acme', 'nothing typed is lost');
  await widget.phase('idle');
  assert.deepEqual(page.errors, []);
  await page.close();
});

// The browser demo end to end, in headless Chromium against a real connkit-server: tags typed
// by the user → session → the widget → a connection (API_KEY with a subdomain, BASIC, NONE) →
// the verified auth webhook with the tags → the tag-filtered list → tag and metadata edits.
// And the failure paths: invalid tags never leave the page, a bad subdomain is blocked by the
// field, an ended session, a server-side refusal that keeps what was typed.
//
// run: CONNKIT_SERVER_BIN=<connkit-server> node --test tests/browser/

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, startServer, newPage, shot } from './harness.mjs';
import { DemoPage, Widget } from './pages.mjs';

const parts = suite();

/** A demo page with a fresh end user (so lists only show this test's connections). */
async function freshDemo() {
  const page = await newPage(parts.browser);
  const demo = new DemoPage(page, parts.server.base);
  await demo.goto();
  const user = `user-${randomUUID().slice(0, 8)}`;
  await demo.tag('end_user_id').fill(user);
  return { page, demo, user };
}

const posts = (page, path) => page.requests.filter((r) => r === `POST ${path}` || r.startsWith(`POST ${path}`));

test('API_KEY provider with a subdomain: tags → widget → webhook → filtered list → tag and metadata edits', async () => {
  const { page, demo, user } = await freshDemo();
  await demo.addExtraTag('Plan', 'pro');
  await shot(page, 'demo-01-page');
  const widget = await demo.openWidget();
  await widget.search.waitFor();
  await shot(page, 'widget-01-list');
  await widget.pick('Demo API (API key)');

  // A bad subdomain is blocked by the field, before any auth request.
  await widget.field('API Key').fill('dk_live_0123456789abcdef');
  await widget.field('Demo Subdomain').fill('Bad Sub!');
  await widget.submit();
  const subdomain = widget.field('Demo Subdomain');
  assert.equal(await subdomain.getAttribute('aria-invalid'), 'true');
  const describedBy = (await subdomain.getAttribute('aria-describedby')).split(' ');
  const errorId = describedBy.find((id) => id.endsWith('-err'));
  assert.ok(errorId, 'the error is referenced by aria-describedby');
  assert.notEqual((await page.locator(`#${errorId}`).textContent()).trim(), '');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid')), 'true',
    'focus moves to the invalid field');
  assert.deepEqual(posts(page, '/api-auth/'), [], 'no auth request with a bad subdomain');
  await shot(page, 'widget-02-field-error');

  await subdomain.fill('acme');
  assert.equal(await subdomain.getAttribute('aria-invalid'), 'false', 'live validation clears the issue');
  await widget.submit();
  const connectionId = await widget.connected();
  assert.ok(connectionId);
  await shot(page, 'widget-03-success');
  await widget.finish();
  await widget.dialog.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Connect an integration',
    'focus returns to the opener');

  // The auth webhook arrived, verified, with the user's tags.
  const hook = demo.webhookFor(connectionId);
  await hook.waitFor({ timeout: 10_000 });
  assert.match(await hook.textContent(), /signature verified/);
  assert.equal(await hook.locator('.demo-ok').count(), 1);
  const hookTags = await hook.locator('.demo-tag').allTextContents();
  assert.ok(hookTags.includes(`end_user_id${user}`), hookTags.join());
  assert.ok(hookTags.includes('planpro'), 'extra tag keys are lowercased');

  // The list is filtered by the user's tags; the editor shows the connection_config.
  const item = demo.connectionItem(connectionId);
  await item.waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('.demo-conn').count(), 1);
  await item.locator('[data-action=pick]').click();
  const config = page.locator('[data-field=connection_config]');
  await config.waitFor();
  assert.deepEqual(JSON.parse(await config.textContent()), { subdomain: 'acme' });

  // Tags: fetch, merge locally, PATCH.
  // The list follows the user's tags (plan=pro included): change another tag.
  await page.getByLabel(/Tag changes/).fill('{"region": "eu", "tier": null}');
  await page.getByRole('button', { name: 'Save tags' }).click();
  await page.locator('.demo-status .demo-ok').waitFor();
  assert.ok(page.requests.includes(`PATCH /demo/api/connections/${connectionId}`));
  await item.locator('.demo-tag', { hasText: 'regioneu' }).waitFor({ timeout: 10_000 });

  // Metadata: set, then update (merge).
  await page.getByLabel(/Metadata \(JSON object\)/).fill('{"team": "support"}');
  await page.getByRole('button', { name: 'Set metadata' }).click();
  await page.getByLabel(/Metadata \(JSON object\)/).fill('{"seats": 3}');
  await page.getByRole('button', { name: 'Update metadata' }).click();
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-field=metadata]');
    return el && el.textContent.includes('seats') && el.textContent.includes('support');
  });
  assert.deepEqual(JSON.parse(await page.locator('[data-field=metadata]').textContent()), { team: 'support', seats: 3 });
  await shot(page, 'demo-02-after');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('BASIC and NONE providers, picked with the search box and the keyboard', async () => {
  const { page, demo } = await freshDemo();
  let widget = await demo.openWidget();
  await widget.search.fill('help');
  assert.equal(await widget.dialog.getByRole('option').count(), 1);
  await widget.search.press('Enter');
  await widget.field('Helpdesk API Key').fill('agent-key');
  await widget.field('Helpdesk Domain').fill('support');
  await shot(page, 'widget-04-basic-form');
  await widget.submit();
  const basicId = await widget.connected();
  await widget.finish();

  widget = await demo.openWidget();
  await widget.search.fill('');
  await widget.search.press('End');
  const last = await widget.dialog.getByRole('option').last().textContent();
  await widget.search.press('ArrowUp');
  const active = await widget.search.getAttribute('aria-activedescendant');
  assert.notEqual(await page.locator(`#${active}`).textContent(), last, 'ArrowUp moved the active option');
  await widget.search.fill('unauth');
  await widget.search.press('Enter');
  await widget.submitButton.waitFor();
  assert.equal(await page.locator('.ck-field').count(), 0, 'NONE has no fields');
  await widget.submit();
  const noneId = await widget.connected();
  await widget.finish();

  for (const id of [basicId, noneId]) {
    await demo.connectionItem(id).waitFor({ timeout: 10_000 });
    await demo.webhookFor(id).locator('.demo-ok').waitFor({ timeout: 10_000 });
  }
  assert.ok(page.requests.includes('POST /api-auth/basic/demo-basic'));
  assert.ok(page.requests.includes('POST /auth/unauthenticated/unauthenticated'));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('invalid tags are shown at their input and never sent', async () => {
  const { page, demo } = await freshDemo();
  await demo.tag('end_user_email').fill('not-an-email');
  assert.equal(await demo.tag('end_user_email').getAttribute('aria-invalid'), 'true');
  const row = await demo.addExtraTag('9bad key', 'x');
  assert.equal(await row.locator('[data-extra=key]').getAttribute('aria-invalid'), 'true');
  await demo.connectButton.click();
  await page.locator('[role=alert]', { hasText: /./ }).first().waitFor();
  assert.deepEqual(posts(page, '/demo/api/sessions'), [], 'no session requested');
  assert.equal(await page.getByRole('dialog').count(), 0);
  await shot(page, 'demo-03-invalid-tags');

  // Fixed tags go through.
  await demo.tag('end_user_email').fill('ada@example.com');
  await row.getByRole('button', { name: 'Remove tag' }).click();
  const widget = await demo.openWidget();
  await widget.search.waitFor();
  assert.equal(posts(page, '/demo/api/sessions').length, 1);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('an ended session shows the expired screen; a refused submit keeps what was typed', async () => {
  const page = await newPage(parts.browser);
  await page.goto(parts.server.base);
  const token = await page.evaluate(async () => {
    const res = await fetch('/demo/api/sessions', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tags: { end_user_id: 'gone' } }),
    });
    const { data } = await res.json();
    const end = await fetch('/connect/session', { method: 'DELETE', headers: { authorization: `Bearer ${data.token}` } });
    if (end.status !== 204 && end.status !== 200) throw new Error(`DELETE /connect/session: ${end.status}`);
    return data.token;
  });
  await page.goto(`${parts.server.base}/connect/?session_token=${token}`);
  const widget = new Widget(page);
  assert.equal(await widget.failedCode(), 'session_expired');
  await shot(page, 'widget-05-expired');

  // The server refuses an API key longer than Nango's 1024 (the field's pattern allows it).
  const demo = new DemoPage(page, parts.server.base);
  await demo.goto();
  const open = await demo.openWidget();
  await open.pick('Demo API (API key)');
  const longKey = `dk_live_${'a'.repeat(1100)}`;
  await open.field('API Key').fill(longKey);
  await open.field('Demo Subdomain').fill('acme');
  await open.submit();
  await page.locator('.ck-banner-text').waitFor();
  assert.equal(await open.bannerCode, 'invalid_body');
  assert.equal(await open.field('API Key').inputValue(), longKey, 'nothing typed is lost');
  assert.equal(await open.field('Demo Subdomain').inputValue(), 'acme');
  await shot(page, 'widget-06-server-error');
  await page.keyboard.press('Escape');
  await open.dialog.waitFor({ state: 'detached' });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('markup in tag values and provider text stays text', async () => {
  const { page, demo } = await freshDemo();
  const evil = '<img src=x onerror="window.__pwned=1">';
  await demo.addExtraTag('note', evil);
  const widget = await demo.openWidget();
  await widget.pick('Unauthenticated');
  await widget.submit();
  const id = await widget.connected();
  await widget.finish();
  const hook = demo.webhookFor(id);
  await hook.waitFor({ timeout: 10_000 });
  assert.ok((await hook.textContent()).includes(evil), 'shown as text');
  assert.equal(await page.locator('.demo-hook img').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await page.close();
});

test('markup in provider names, titles, descriptions and examples stays inert text', async () => {
  const evil = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
  const dir = mkdtempSync(join(tmpdir(), 'connkit-evil-'));
  writeFileSync(join(dir, 'providers.yaml'), `evil:
    display_name: '${evil}'
    auth_mode: API_KEY
    docs_connect: 'javascript:window.__pwned=2'
    credentials:
        apiKey:
            type: string
            title: '${evil}'
            description: '${evil}'
            example: '${evil}'
            doc_section: '#x'
    connection_config:
        subdomain:
            type: string
            title: 'Sub <script>window.__pwned=3</script>'
            prefix: '<i>https://</i>'
`);
  writeFileSync(join(dir, 'integrations.toml'), '[[integration]]\nunique_key = "evil"\nprovider = "evil"\n');
  const evilServer = await startServer(['--providers', join(dir, 'providers.yaml'), '--integrations', join(dir, 'integrations.toml')]);
  try {
    const page = await newPage(parts.browser);
    const demo = new DemoPage(page, evilServer.base);
    await demo.goto();
    const widget = await demo.openWidget();
    // One allowed-by-default integration in the list; its name is text.
    await widget.option(evil).waitFor();
    await widget.pick(evil);
    const dialog = widget.dialog;
    assert.ok((await dialog.textContent()).includes(evil), 'markup shown as text');
    assert.equal(await dialog.locator('img, b, i, script').count(), 0, 'no element from provider text');
    assert.equal(await dialog.locator('a[href^="javascript:"]').count(), 0, 'no javascript: link');
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    await shot(page, 'widget-07-inert-provider-text');
    assert.deepEqual(page.errors, []);
    await page.close();
  } finally {
    await evilServer.stop();
  }
});

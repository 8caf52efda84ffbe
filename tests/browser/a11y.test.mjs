// Accessibility: axe-core with the WCAG 2.0/2.1/2.2 A and AA rules, in the light and dark
// themes (the main screens also in the system theme with the system set to dark), on every
// screen a person sees: the demo page (with tag issues shown), the widget's list, form with a
// field issue, success, expired session, and the OAuth form's states (waiting for the popup, the
// popup closed, blocked, a failure), the forms of the modes that obtain a token (each of them,
// one with field issues, one with a provider's refusal); and the layout at 360 px wide.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { suite, launch, newPage, shot } from './harness.mjs';
import { Consent, DemoPage, Widget } from './pages.mjs';

const require = createRequire(import.meta.url);
// Evaluated, not added as a <script>: the pages' security policy allows no inline script.
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

const parts = suite();

/** axe violations on the page (or a frame) as `rule: targets`. */
async function violations(page) {
  await page.evaluate(AXE);
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    TAGS,
  );
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The page's colours under each theme: light, dark, and system with the system set to dark. */
const THEMES = {
  light: { mode: 'light', system: 'light', bg: 'rgb(246, 247, 249)' },
  dark: { mode: 'dark', system: 'light', bg: 'rgb(15, 18, 24)' },
  'system-dark': { mode: 'system', system: 'dark', bg: 'rgb(15, 18, 24)' },
};

for (const [theme, { mode, system, bg }] of Object.entries(THEMES)) {
  test(`no WCAG 2.2 A/AA violations on any screen, ${theme} theme`, async () => {
    const page = await newPage(parts.browser, { colorScheme: system });
    const demo = new DemoPage(page, parts.server.base);
    await demo.goto();
    await demo.setTheme(mode);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), mode);
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), bg);
    await demo.tag('end_user_email').fill('nope');
    assert.deepEqual(await violations(page), [], 'demo page with a tag issue');
    await shot(page, `a11y-${theme}-demo`);
    await demo.tag('end_user_email').fill('');

    const widget = await demo.openWidget();
    await widget.search.waitFor();
    assert.deepEqual(await violations(page), [], 'integration list');
    await widget.pick('Demo API (API key)');
    await widget.field('Demo Subdomain').fill('Bad!');
    await widget.submit();
    assert.equal(await widget.field('Demo Subdomain').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await violations(page), [], 'form with issues');
    await shot(page, `a11y-${theme}-form`);
    await widget.field('API Key').fill('dk_live_0123456789abcdef');
    await widget.field('Demo Subdomain').fill('acme');
    await widget.submit();
    await widget.connected();
    assert.deepEqual(await violations(page), [], 'success');
    await widget.finish();

    await page.goto(`${parts.server.base}/connect/?theme=${mode}&session_token=nango_connect_session_${'0'.repeat(64)}`);
    assert.equal(await new Widget(page).failedCode(), 'session_expired');
    assert.deepEqual(await violations(page), [], 'expired session');
    await shot(page, `a11y-${theme}-expired`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

for (const theme of ['light', 'dark']) {
  test(`no WCAG 2.2 A/AA violations on the OAuth form's states, ${theme} theme`, async () => {
    const blocking = await launch({ popupBlocker: true });
    try {
      // Chromium's popup blocker on: the first press goes without user activation (blocked), the
      // next one with it (a click opens the popup).
      const page = await newPage(blocking, { colorScheme: theme });
      const demo = new DemoPage(page, parts.server.base);
      await demo.goto();
      await demo.setTheme(theme);
      const widget = await demo.openWidget();
      await widget.pick('Demo Tickets (OAuth)');
      await widget.field('Tickets Workspace').fill('acme');
      await widget.submitWithoutActivation();
      await widget.phase('blocked');
      assert.deepEqual(await violations(page), [], 'popup blocked');
      await shot(page, `a11y-${theme}-oauth-blocked`);

      const popup = await widget.submitToPopup();
      await widget.phase('waiting');
      assert.deepEqual(await violations(page), [], 'waiting for the popup');
      await new Consent(popup).ready();
      await popup.close();
      await widget.phase('closed');
      assert.deepEqual(await violations(page), [], 'popup closed');
      await shot(page, `a11y-${theme}-oauth-closed`);
      await widget.cancelButton.click();
      await page.locator('.ck-banner-text').waitFor();
      assert.deepEqual(await violations(page), [], 'a failure under the form');
      assert.deepEqual(page.errors, []);
      await page.close();
    } finally {
      await blocking.close();
    }
  });
}

for (const theme of ['light', 'dark']) {
  test(`no WCAG 2.2 A/AA violations on the forms of every token-obtaining mode, ${theme} theme`, async () => {
    const page = await newPage(parts.browser, { colorScheme: theme });
    const demo = new DemoPage(page, parts.server.base);
    await demo.goto();
    await demo.setTheme(theme);
    const widget = await demo.openWidget();
    const input = (label) => widget.root.getByLabel(new RegExp(`^${label}\\b`));
    for (const name of ['Demo Warehouse (two-step)', 'Demo Payables (Bill)', 'Demo Ads (WSSE signature)',
      'Demo ERP (token-based auth)', 'Demo Messaging (JWT)', 'Demo Storage (AWS SigV4)']) {
      await widget.search.waitFor();
      await widget.pick(name);
      assert.deepEqual(await violations(page), [], name);
      if (name.includes('AWS')) {
        // The External ID the role must trust: shown read-only, a UUID made for this form.
        const externalId = page.locator('#ck-external-id');
        assert.match(await externalId.inputValue(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(await externalId.getAttribute('readonly'), '');
        await shot(page, `a11y-${theme}-aws-form`);
      }
      await page.locator('.ck-back').click();
    }
    await widget.pick('Demo Reports (client credentials)');
    await widget.submit();
    assert.equal(await input('Client ID').getAttribute('aria-invalid'), 'true');
    assert.deepEqual(await violations(page), [], 'client credentials form with issues');
    await input('Reports Workspace').fill('acme');
    await input('Client ID').fill('demo-client-id');
    await input('Client Secret').fill('wrong');
    await widget.submit();
    await page.locator('.ck-banner-text').waitFor();
    assert.deepEqual(await violations(page), [], 'a provider\'s refusal under the form');
    await shot(page, `a11y-${theme}-modes-refused`);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test('the overlaid widget keeps focus inside while tabbing, both ways', async () => {
  const page = await newPage(parts.browser);
  const demo = new DemoPage(page, parts.server.base);
  await demo.goto();
  const widget = await demo.openWidget();
  await widget.pick('Demo API (API key)');
  const inside = () => page.evaluate(() => !!document.activeElement?.closest('[role=dialog]'));
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press(key);
      assert.ok(await inside(), `${key} #${i + 1} left the dialog`);
    }
  }
  await page.close();
});

test('usable at 360 px: nothing wider than the viewport', async () => {
  const page = await newPage(parts.browser, { viewport: { width: 360, height: 740 } });
  const demo = new DemoPage(page, parts.server.base);
  await demo.goto();
  const widget = await demo.openWidget();
  await widget.pick('Demo API (API key)');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page overflows by ${overflow}px`);
  const box = await widget.dialog.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, JSON.stringify(box));
  await shot(page, 'mobile-360-form');
  await page.close();
});

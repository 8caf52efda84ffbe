// The theme contract (docs/widget.md §2) in the browser: `mountConnect`'s theme options (mode,
// primary colour with its on-colour chosen for WCAG contrast, app name and logo), the system
// theme following prefers-color-scheme live, and the real, unchanged `@nangohq/frontend`
// `openConnectUI` with `themeOverride: 'dark'` (its `theme` query parameter) and a primary colour
// in its baseURL's query. Checked through attributes and computed styles.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suite, newPage, shot, mountInline, sessionToken } from './harness.mjs';

const HOST_PAGE = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host app</title>
<link rel="icon" href="data:,"></head><body><h1>Host app</h1><div id="slot"></div>
<script type="module">
import Nango from '/frontend/index.js';
window.events = [];
window.openUI = (token, base, themeOverride, query) => {
  const nango = new Nango({ host: base, connectSessionToken: token });
  nango.openConnectUI({ baseURL: base + '/connect/' + query, apiURL: base, themeOverride, onEvent: (e) => window.events.push(e) });
};
</script></body></html>`;

const parts = suite({ host: HOST_PAGE, sdk: true });

/** A session that opens straight on the NONE integration's form (its Connect button is primary). */
const formSession = () => sessionToken(parts.server, {
  tags: { end_user_id: 'theme-user' },
  allowed_integrations: ['unauthenticated'],
});

/** WCAG 2.2 contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(a, b) {
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/\d+/g).slice(0, 3).map((c) => {
      const s = Number(c) / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const styleOf = (locator, ...props) =>
  locator.evaluate((el, ps) => ps.map((p) => getComputedStyle(el)[p]), props);

for (const [primary, rgb, on] of [
  ['#ffeb3b', 'rgb(255, 235, 59)', 'rgb(0, 0, 0)'],
  ['#0b63ce', 'rgb(11, 99, 206)', 'rgb(255, 255, 255)'],
  ['rebeccapurple', 'rgb(102, 51, 153)', 'rgb(255, 255, 255)'],
]) {
  test(`primary ${primary}: the text on it is the colour with more contrast`, async () => {
    const page = await newPage(parts.browser);
    await page.goto(parts.host.base);
    await mountInline(page, parts.server, await formSession(), { primary, theme: 'dark' });
    const button = page.locator('#slot .ck-form .ck-primary');
    await button.waitFor({ timeout: 20_000 });
    const [background, color] = await styleOf(button, 'backgroundColor', 'color');
    assert.deepEqual([background, color], [rgb, on]);
    const other = on === 'rgb(0, 0, 0)' ? 'rgb(255, 255, 255)' : 'rgb(0, 0, 0)';
    assert.ok(contrast(background, color) >= contrast(background, other));
    assert.equal(await page.locator('#slot .ck-widget').getAttribute('data-theme'), 'dark');
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test('app name and logo; a colour or logo the widget cannot use is left out', async () => {
  const page = await newPage(parts.browser);
  await page.goto(parts.host.base);
  const logo = `${parts.server.base}/logo.svg`;
  await mountInline(page, parts.server, await formSession(), { appName: 'Acme CRM', logo, theme: 'light' });
  const widget = page.locator('#slot .ck-widget');
  await widget.locator('.ck-form').waitFor({ timeout: 20_000 });
  assert.equal(await widget.locator('.ck-brand-name').textContent(), 'Acme CRM');
  assert.equal(await widget.locator('.ck-brand-logo').getAttribute('src'), logo);
  assert.equal(await widget.locator('.ck-brand-logo').getAttribute('alt'), '');
  await shot(page, 'theme-01-brand');
  await page.evaluate(() => window.handle.unmount());

  await mountInline(page, parts.server, await formSession(), { primary: 'not-a-colour', logo: 'javascript:alert(1)' });
  await widget.locator('.ck-form').waitFor({ timeout: 20_000 });
  assert.equal(await widget.getAttribute('style'), null, 'the default primary stays');
  assert.equal(await widget.getAttribute('data-theme'), null, 'no theme: the page decides');
  assert.equal(await widget.locator('.ck-brand').count(), 0);
  const [background] = await styleOf(widget.locator('.ck-form .ck-primary'), 'backgroundColor');
  assert.equal(background, 'rgb(11, 99, 206)');
  await page.close();
});

test('the system theme follows prefers-color-scheme while the widget is open', async () => {
  const page = await newPage(parts.browser, { colorScheme: 'light' });
  await page.goto(parts.host.base);
  await mountInline(page, parts.server, await formSession(), { theme: 'system' });
  const widget = page.locator('#slot .ck-widget');
  const input = widget.locator('.ck-form');
  await input.waitFor({ timeout: 20_000 });
  assert.equal(await widget.getAttribute('data-theme'), 'system');
  assert.deepEqual(await styleOf(widget, 'color', 'colorScheme'), ['rgb(26, 29, 35)', 'light dark']);
  await page.emulateMedia({ colorScheme: 'dark' });
  assert.deepEqual(await styleOf(widget, 'color'), ['rgb(238, 240, 244)']);
  await shot(page, 'theme-02-system-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  assert.deepEqual(await styleOf(widget, 'color'), ['rgb(26, 29, 35)']);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('openConnectUI with themeOverride dark opens the widget dark, with the primary colour of its baseURL', async () => {
  const page = await newPage(parts.browser, { colorScheme: 'light' });
  await page.goto(parts.host.base);
  const token = await formSession();
  await page.evaluate(([t, b]) => window.openUI(t, b, 'dark', '?primary=%23ffeb3b'), [token, parts.server.base]);
  const iframe = page.locator('#connect-ui');
  await iframe.waitFor();
  const src = new URL(await iframe.getAttribute('src'));
  assert.equal(src.searchParams.get('theme'), 'dark', 'what the SDK sends');
  const frame = page.frameLocator('#connect-ui');
  const button = frame.locator('.ck-form .ck-primary');
  await button.waitFor({ timeout: 20_000 });
  assert.equal(await frame.locator('html').getAttribute('data-theme'), 'dark');
  assert.deepEqual(await styleOf(frame.locator('.ck-dialog'), 'backgroundColor'), ['rgb(27, 32, 41)']);
  assert.deepEqual(await styleOf(button, 'backgroundColor', 'color'), ['rgb(255, 235, 59)', 'rgb(0, 0, 0)']);
  await shot(page, 'theme-03-openconnectui-dark');
  assert.deepEqual(page.errors, []);
  await page.close();
});

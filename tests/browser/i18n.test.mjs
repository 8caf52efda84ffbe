// The widget in every language: the connect flow (list → a form showing its field errors →
// connected) through `/connect/?lang=…`, with a screenshot of each screen in
// target/browser-artifacts/ and no English string of the widget's own left on it (the visible
// text and the labels, less what the provider supplies, against the English catalogue's
// values); the language chosen by `mountConnect`'s `lang` and by the browser's languages;
// `openConnectUI` from the real `@nangohq/frontend` with `lang: 'ja'`; the OAuth callback page in
// the browser's language; the demo page's language switch. Assertions read `lang` attributes
// and the built catalogues, never sentences written here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite, newPage, shot, mountInline, sessionToken, DIST } from './harness.mjs';

const HOST_PAGE = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host app</title>
<link rel="icon" href="data:,"></head><body><div id="slot"></div>
<script type="module">
import Nango from '/frontend/index.js';
window.events = [];
window.openUI = (token, base, lang) => {
  const nango = new Nango({ host: base, connectSessionToken: token });
  window.ui = nango.openConnectUI({ baseURL: base + '/connect/', apiURL: base, lang, onEvent: (e) => window.events.push(e) });
};
</script></body></html>`;

const parts = suite({ host: HOST_PAGE, sdk: true });

/** The built catalogues of the widget, by language. */
const CATALOGUES = Object.fromEntries(
  readdirSync(join(DIST, 'connect', 'i18n'))
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f.slice(0, -'.json'.length), JSON.parse(readFileSync(join(DIST, 'connect', 'i18n', f), 'utf8'))]),
);
const EN = CATALOGUES.en;
const LANGS = Object.keys(CATALOGUES).sort();

/** The callback page's catalogues (compiled into the server). */
const PAGE_WORDS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'crates', 'connkit-server', 'src', 'oauth', 'i18n');

/** `text` with each `{name}` of `args` put in, as the widget fills a catalogue's text. */
const fill = (text, args) => text.replace(/\{(\w+)\}/g, (m, name) => args[name] ?? m);

/**
 * The widget's own words on screen in `root` (a selector): its text and its labels
 * (`aria-label`, `placeholder`), less what the provider supplies (integration names, field
 * labels, descriptions, examples and affixes).
 */
function ownText(frame, root) {
  return frame.locator(root).evaluate((el) => {
    const copy = el.cloneNode(true);
    const said = [];
    for (const node of copy.querySelectorAll('[aria-label], [placeholder]')) {
      const inField = node.closest('.ck-field');
      if (node.getAttribute('aria-label')) said.push(node.getAttribute('aria-label'));
      if (node.getAttribute('placeholder') && !inField) said.push(node.getAttribute('placeholder'));
    }
    copy.querySelectorAll('.ck-option-name, .ck-logo, .ck-field .ck-desc, .ck-affix, code').forEach((n) => n.remove());
    // A field's label is the provider's; its badge is the widget's.
    copy.querySelectorAll('label.ck-label[for^="ck-field-"]').forEach((label) => label.firstChild?.remove());
    // Each text node apart: `textContent` runs the words of neighbouring elements together.
    const walker = document.createTreeWalker(copy, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) said.push(walker.currentNode.textContent);
    return said.join('\n');
  });
}

/** `piece` as a whole in `text`: not the start of a longer word ("Connect" in "Connecté"). */
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const saysWhole = (text, piece) => new RegExp(`(?<![\\p{L}\\p{N}])${escape(piece)}(?![\\p{L}\\p{N}])`, 'u').test(text);

/**
 * The English catalogue's words found in `text` where `lang` says something else: each text
 * cut at its placeholders into the pieces the widget writes itself.
 */
function englishLeft(text, lang) {
  const left = [];
  for (const [key, english] of Object.entries(EN)) {
    const own = CATALOGUES[lang][key] ?? '';
    for (const piece of english.split(/\{\w+\}/).map((p) => p.trim())) {
      if (!/\p{L}.*\p{L}/u.test(piece) || saysWhole(own, piece)) continue;
      if (saysWhole(text, piece)) left.push(`${key}: ${piece}`);
    }
  }
  return left;
}

async function assertNoEnglish(frame, lang, root = '.ck-widget') {
  assert.deepEqual(englishLeft(await ownText(frame, root), lang), [], `English left in ${lang}`);
}

test('the ten languages have catalogues with every English key', () => {
  assert.equal(LANGS.length, 10);
  for (const lang of LANGS) assert.deepEqual(Object.keys(CATALOGUES[lang]).sort(), Object.keys(EN).sort(), lang);
});

test('the connect flow in every language: list, a form with its errors, connected; no English left', async () => {
  for (const lang of LANGS) {
    const token = await sessionToken(parts.server, { tags: { end_user_id: `i18n-${lang}` } });
    const page = await newPage(parts.browser);
    await page.goto(`${parts.server.base}/connect/?session_token=${token}&lang=${lang}`);
    // The list, in the language asked for: the page's and the widget's `lang` say it.
    await page.locator(`.ck-widget[lang="${lang}"] #ck-search`).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('html').getAttribute('lang'), lang);
    assert.equal(await page.locator('#ck-title').textContent(), CATALOGUES[lang]['list.title']);
    assert.equal(await page.title(), CATALOGUES[lang]['page.title']);
    await assertNoEnglish(page, lang);
    await shot(page, `i18n-${lang}-1-list`);

    // The form, submitted empty: each required field says so, in the catalogue's words.
    await page.locator('.ck-option[data-key="demo-api-key"]').click();
    const submit = page.locator('form.ck-form button[type=submit]');
    await submit.waitFor();
    assert.equal(await submit.textContent(), CATALOGUES[lang]['form.connect']);
    await submit.click();
    const apiKey = page.locator('.ck-field[data-name="apiKey"]');
    const label = await apiKey.locator('label.ck-label').evaluate((l) => l.firstChild.textContent);
    assert.equal(
      await apiKey.locator('.ck-error').textContent(),
      fill(CATALOGUES[lang]['field.required'], { label }),
    );
    assert.equal(await apiKey.locator('input').getAttribute('aria-invalid'), 'true');
    await assertNoEnglish(page, lang);
    await shot(page, `i18n-${lang}-2-form`);

    // Filled in and sent: connected.
    await apiKey.locator('input').fill('dk_live_0123456789abcdef');
    await page.locator('.ck-field[data-name="subdomain"] input').fill('acme');
    await submit.click();
    await page.locator('.ck-done').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('#ck-title').textContent(), CATALOGUES[lang]['done.title']);
    await assertNoEnglish(page, lang);
    await shot(page, `i18n-${lang}-3-done`);
    assert.deepEqual(page.errors, [], lang);
    await page.close();
  }
});

test('mountConnect takes the language of its lang option (pt is pt-BR), else the browser\'s', async () => {
  const token = await sessionToken(parts.server, { tags: { end_user_id: 'i18n-mount' } });
  const page = await newPage(parts.browser);
  await page.goto(parts.host.base);
  await mountInline(page, parts.server, token, { lang: 'pt' });
  await page.locator('#slot .ck-widget[lang="pt-BR"] #ck-search').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('#ck-title').textContent(), CATALOGUES['pt-BR']['list.title']);
  await page.close();

  // No option: the first of the browser's languages the widget speaks (zh-Hans is zh-CN).
  const context = await parts.browser.newContext({ locale: 'zh-Hans' });
  const other = await context.newPage();
  await other.goto(parts.host.base);
  await mountInline(other, parts.server, token);
  await other.locator('#slot .ck-widget[lang="zh-CN"] #ck-search').waitFor({ timeout: 20_000 });
  assert.equal(await other.locator('#ck-search').getAttribute('placeholder'), CATALOGUES['zh-CN']['list.search_placeholder']);
  await context.close();
});

test('openConnectUI from @nangohq/frontend with lang: ja opens a Japanese widget', async () => {
  const page = await newPage(parts.browser);
  await page.goto(parts.host.base);
  const token = await sessionToken(parts.server, { tags: { end_user_id: 'i18n-ja' } });
  await page.evaluate(([t, b]) => window.openUI(t, b, 'ja'), [token, parts.server.base]);
  const frame = page.frameLocator('#connect-ui');
  await frame.locator('.ck-widget[lang="ja"] #ck-search').waitFor({ timeout: 20_000 });
  assert.equal(await frame.locator('html').getAttribute('lang'), 'ja');
  assert.equal(await frame.locator('#ck-title').textContent(), CATALOGUES.ja['list.title']);
  assert.equal(await frame.getByRole('button', { name: CATALOGUES.ja.close }).count(), 1);
  await assertNoEnglish(frame, 'ja');
  await shot(page, 'i18n-ja-openConnectUI');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the OAuth callback page speaks the browser\'s language', async () => {
  const words = (lang) => JSON.parse(readFileSync(join(PAGE_WORDS, `${lang}.json`), 'utf8'));
  const [fr, en] = [words('fr'), words('en')];
  const context = await parts.browser.newContext({ locale: 'fr-CA' });
  const page = await context.newPage();
  // No state: the flow fails, and the page says so.
  const res = await page.goto(`${parts.server.base}/oauth/callback`);
  assert.equal(res.status(), 400);
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  assert.equal(await page.locator('h1').textContent(), fr['page.failed']);
  assert.equal(await page.title(), fr['page.title']);
  const text = await page.locator('main').evaluate((m) => [...m.querySelectorAll('h1, p')].map((n) => n.textContent).join('\n'));
  for (const [key, english] of Object.entries(en)) {
    if (english !== fr[key]) assert.ok(!text.includes(english), `English left: ${key}`);
  }
  await shot(page, 'i18n-fr-callback');
  await context.close();
});

test('the demo\'s language switch re-renders the page and the widget it opens', async () => {
  const demoWords = (lang) => JSON.parse(readFileSync(join(DIST, 'i18n', `${lang}.json`), 'utf8'));
  const de = demoWords('de');
  const page = await newPage(parts.browser);
  await page.goto(parts.server.base);
  await page.locator('[data-testid=lang]').waitFor({ timeout: 20_000 });
  await page.locator('[data-testid=lang]').selectOption('de');
  await page.locator('html[lang="de"]').waitFor();
  const connect = page.locator('.demo-card .ck-primary').first();
  assert.equal(await connect.textContent(), de['demo.connect']);
  // A tag issue, in the page's words (core's code, the demo's sentence).
  await page.locator('input[data-tag="end_user_email"]').fill('not-an-email');
  assert.equal(
    await page.locator('#tag-end_user_email-err').textContent(),
    de['demo.issue.tag_end_user_email_invalid'],
  );
  await page.locator('input[data-tag="end_user_email"]').fill('');
  await connect.click();
  await page.locator('.ck-dialog .ck-widget[lang="de"] #ck-search').waitFor({ timeout: 20_000 });
  await assertNoEnglish(page, 'de', '.ck-dialog .ck-widget');
  await shot(page, 'i18n-de-demo');
  assert.deepEqual(page.errors, []);
  await page.close();
});

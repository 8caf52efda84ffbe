// A field's `format: uri` checked in the widget by the browser's own `URL`, as zod's `url()`
// does in Connect UI (`new URL(value)`), not by connkit-core's WHATWG parser, which the widget's
// wasm leaves out. Chromium's parser departs from the WHATWG one in places: it takes a space in a
// host (`https://exa mple.com`), which core refuses, so that value tells the two apart.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, newPage, mountInline, sessionToken } from './harness.mjs';
import { Widget } from './pages.mjs';

const HOST_PAGE = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Host app</title>'
  + '<link rel="icon" href="data:,"></head><body><div id="slot"></div></body></html>';

const dir = mkdtempSync(join(tmpdir(), 'connkit-formats-'));
writeFileSync(join(dir, 'providers.yaml'), `demo-uri:
    display_name: Demo URI
    auth_mode: API_KEY
    credentials:
        apiKey:
            type: string
            title: API Key
    connection_config:
        instance:
            type: string
            title: Instance URL
            format: uri
`);
writeFileSync(join(dir, 'integrations.toml'), '[[integration]]\nunique_key = "demo-uri"\nprovider = "demo-uri"\n');

const parts = suite({
  host: HOST_PAGE,
  serverArgs: () => ['--providers', join(dir, 'providers.yaml'), '--integrations', join(dir, 'integrations.toml')],
});

test('a format: uri field takes what new URL takes', async () => {
  const page = await newPage(parts.browser);
  await page.goto(parts.host.base);
  const token = await sessionToken(parts.server, { tags: { end_user_id: 'formats' }, allowed_integrations: ['demo-uri'] });
  await mountInline(page, parts.server, token);
  const widget = new Widget(page, page.locator('#slot'));
  const field = widget.field('Instance URL');
  await field.waitFor();
  const invalidAfter = async (value) => {
    await field.fill(value);
    await field.blur();
    return field.getAttribute('aria-invalid');
  };
  const inputs = ['not a url', 'https://acme.example.com/api', 'http://[::1', 'https://exa mple.com', 'mailto:x'];
  for (const input of inputs) {
    const parses = await page.evaluate((u) => {
      try {
        new URL(u);
        return true;
      } catch {
        return false;
      }
    }, input);
    assert.equal(await invalidAfter(input), String(!parses), input);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

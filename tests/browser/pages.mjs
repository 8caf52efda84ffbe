// Page objects for the demo page and the Connect widget: locators by role and label, actions
// by intent. Tests read codes from data-code attributes, never English text.

export class DemoPage {
  constructor(page, base) {
    this.page = page;
    this.base = base;
  }

  async goto() {
    await this.page.goto(this.base);
    await this.connectButton.waitFor({ timeout: 20_000 });
  }

  get connectButton() {
    return this.page.getByRole('button', { name: 'Connect an integration' });
  }

  /** The input of a named tag (`end_user_id`, `end_user_display_name`, `end_user_email`, `organization_id`). */
  tag(key) {
    return this.page.locator(`input[data-tag="${key}"]`);
  }

  async addExtraTag(key, value) {
    await this.page.getByRole('button', { name: 'Add tag' }).click();
    const row = this.page.locator('.demo-extra').last();
    await row.locator('[data-extra=key]').fill(key);
    await row.locator('[data-extra=value]').fill(value);
    return row;
  }

  /** Opens the widget; resolves the dialog object. */
  async openWidget() {
    await this.connectButton.click();
    const widget = new OAuthWidget(this.page);
    await widget.dialog.waitFor();
    return widget;
  }

  webhookFor(connectionId) {
    return this.page.locator(`.demo-hook[data-connection-id="${connectionId}"]`);
  }

  connectionItem(connectionId) {
    return this.page.locator(`.demo-conn[data-connection-id="${connectionId}"]`);
  }

  /** Opens the editor of a listed connection. */
  async pickConnection(connectionId) {
    await this.connectionItem(connectionId).locator('[data-action=pick]').click();
  }

  /** Presses a listed connection's "Reconnect"; resolves the widget's dialog object. */
  async reconnect(connectionId) {
    await this.connectionItem(connectionId).locator('[data-action=reconnect]').click();
    const widget = new OAuthWidget(this.page);
    await widget.dialog.waitFor();
    return widget;
  }

  /** Chooses the theme: `light`, `dark` or `system`. */
  async setTheme(mode) {
    await this.page.getByTestId('theme').selectOption(mode);
  }
}

export class Widget {
  constructor(page, root = page) {
    this.page = page;
    this.root = root;
  }

  get dialog() {
    return this.root.getByRole('dialog');
  }

  get search() {
    return this.root.getByRole('combobox', { name: 'Search integrations' });
  }

  option(name) {
    return this.root.getByRole('option', { name });
  }

  async pick(name) {
    await this.option(name).click();
    await this.submitButton.waitFor();
  }

  field(label) {
    return this.root.getByRole('textbox', { name: label });
  }

  get submitButton() {
    return this.root.getByRole('button', { name: 'Connect', exact: true });
  }

  async submit() {
    await this.submitButton.click();
  }

  /** The code of the failure banner shown under the form. */
  get bannerCode() {
    return this.root.locator('.ck-banner-text').getAttribute('data-code');
  }

  /** Waits for the success screen; resolves the new connection id. */
  async connected() {
    const done = this.root.locator('.ck-done');
    await done.waitFor({ timeout: 15_000 });
    return done.getAttribute('data-connection-id');
  }

  async finish() {
    await this.root.getByRole('button', { name: 'Finish' }).click();
  }

  /** The code of the error screen. */
  async failedCode() {
    const failed = this.root.locator('.ck-failed');
    await failed.waitFor({ timeout: 15_000 });
    return failed.getAttribute('data-code');
  }
}

/** What the OAuth flow adds to the widget: its press, its popup and its panel. */
export class OAuthWidget extends Widget {
  /** Presses "Connect" on an OAUTH2 form; resolves the popup the press opened. */
  async submitToPopup() {
    const [popup] = await Promise.all([this.page.context().waitForEvent('page'), this.submit()]);
    return popup;
  }

  /**
   * Presses "Connect" as a script would, once the page's user activation has expired: with
   * Chromium's popup blocker on (`launch({ popupBlocker: true })`) the popup is refused, as a
   * blocker or a webview refuses it.
   */
  async submitWithoutActivation() {
    await this.page.waitForFunction(() => !navigator.userActivation.isActive, null, { timeout: 15_000 });
    const cdp = await this.page.context().newCDPSession(this.page);
    await cdp.send('Runtime.evaluate', {
      expression: "document.querySelector('form.ck-form').requestSubmit()",
      userGesture: false,
    });
    await cdp.detach();
  }

  /** Waits until the OAuth panel shows `phase` (`waiting`, `closed`, `blocked`, `idle`…). */
  async phase(phase, timeout = 15_000) {
    const state = phase === 'idle' ? 'attached' : 'visible';
    await this.root.locator(`.ck-oauth[data-phase="${phase}"]`).waitFor({ state, timeout });
  }

  get reopenButton() {
    return this.root.getByRole('button', { name: 'Open the window again' });
  }

  get continueHereButton() {
    return this.root.getByRole('button', { name: 'Continue in this tab' });
  }

  get cancelButton() {
    return this.root.getByRole('button', { name: 'Cancel' });
  }
}

/** The local OAuth provider's consent page, in a popup or in the tab itself. */
export class Consent {
  constructor(page) {
    this.page = page;
  }

  get approveButton() {
    return this.page.getByRole('button', { name: 'Approve' });
  }

  /** Waits for the page; resolves the workspace (the subdomain) it names. */
  async ready() {
    await this.approveButton.waitFor({ timeout: 15_000 });
    return this.page.locator('main p strong').nth(1).textContent();
  }

  async approve() {
    await this.ready();
    await this.approveButton.click();
  }

  async deny() {
    await this.ready();
    await this.page.getByRole('button', { name: 'Deny' }).click();
  }
}

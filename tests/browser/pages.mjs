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

  /** The input of a named tag (`end_user_id`, `end_user_email`, `organization_id`). */
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
    const widget = new Widget(this.page);
    await widget.dialog.waitFor();
    return widget;
  }

  webhookFor(connectionId) {
    return this.page.locator(`.demo-hook[data-connection-id="${connectionId}"]`);
  }

  connectionItem(connectionId) {
    return this.page.locator(`.demo-conn[data-connection-id="${connectionId}"]`);
  }

  async toggleTheme() {
    await this.page.getByTestId('theme').click();
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

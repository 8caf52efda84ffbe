// `<connkit-connect>`: the Connect widget as a custom element, for any page and any framework.
// `cargo xtask demo` writes it to dist/connect/element.js, putting in the names of the
// /connect/ bundle's hashed files. A page loads it as a module:
//
//   <script type="module" src="https://connkit.example/connect/element.js"></script>
//   <connkit-connect api-url="https://connkit.example" session-token="…" theme="system"></connkit-connect>
//
// Attributes are `mountConnect`'s options (session-token, api-url, lang, theme, primary,
// app-name, logo, redirect); the widget's events are dispatched on the element as CustomEvents
// named `ready`, `connect`, `error`, `close` (detail: the event's payload, or null). They do not
// bubble, so that an `error` never reaches the window's error handlers. Changing an attribute
// mounts the widget afresh with the new options (a token set later starts the flow); removing
// the element unmounts it. Knows nothing about the widget beyond `mountConnect`.

import init, { mountConnect } from './__CONNKIT_JS__';

const here = new URL('./', import.meta.url);
let loading;

/** Loads the widget's wasm and styles once per page. */
function load() {
  if (!loading) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = new URL('./__CONNKIT_CSS__', here).href;
    document.head.append(link);
    loading = init({ module_or_path: new URL('./__CONNKIT_WASM__', here) });
  }
  return loading;
}

/** Attribute → `mountConnect` option. */
const OPTIONS = {
  'session-token': 'sessionToken',
  'api-url': 'apiURL',
  lang: 'lang',
  theme: 'theme',
  primary: 'primary',
  'app-name': 'appName',
  logo: 'logo',
  redirect: 'redirect',
};

class ConnkitConnect extends HTMLElement {
  static observedAttributes = Object.keys(OPTIONS);
  #handle = null;
  #root = null;
  // Each mount or removal bumps it: a mount whose load finishes late gives way.
  #turn = 0;

  connectedCallback() {
    this.#mount();
  }

  disconnectedCallback() {
    this.#turn += 1;
    this.#unmount();
  }

  attributeChangedCallback(_name, before, after) {
    if (before !== after && this.isConnected) this.#mount();
  }

  async #mount() {
    const turn = (this.#turn += 1);
    await load();
    if (turn !== this.#turn || !this.isConnected) return;
    this.#unmount();
    const options = {
      onEvent: (event) => this.dispatchEvent(new CustomEvent(event.type, { detail: event.payload ?? null })),
    };
    for (const [attribute, option] of Object.entries(OPTIONS)) {
      if (!this.hasAttribute(attribute)) continue;
      options[option] = option === 'redirect' ? true : this.getAttribute(attribute);
    }
    this.#root = document.createElement('div');
    this.append(this.#root);
    this.#handle = mountConnect(this.#root, options);
  }

  #unmount() {
    this.#handle?.unmount();
    this.#handle?.free();
    this.#handle = null;
    this.#root?.remove();
    this.#root = null;
  }
}

if (!customElements.get('connkit-connect')) customElements.define('connkit-connect', ConnkitConnect);

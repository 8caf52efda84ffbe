//! connkit-widget: a Leptos Connect widget. It collects the connection_config and credentials a
//! provider needs, checks them with connkit-core (patterns with the browser's own `RegExp`),
//! and calls Nango-wire session and auth endpoints (connkit-server, or Nango itself).
//!
//! Four ways in, one component: [`Connect`] for Leptos apps, `mountConnect(element, {
//! sessionToken, apiURL, onEvent, redirect, lang, theme, primary, appName, logo })` for any web
//! page, the `<connkit-connect>` custom element over it (`www/connect/element.js`), and
//! [`ConnectPage`] at `/connect/` for `@nangohq/frontend`'s `openConnectUI`. It speaks ten
//! languages ([`i18n`]). OAuth 2 goes through a popup, or,
//! where popups fail (or with `redirect`), through the page itself, which the widget resumes on
//! its return ([`oauth`]). The `demo` feature adds the browser demo around it.
//!
//! Rules are connkit-core's (a Rust dependency, never the npm package); this crate is views,
//! HTTP and events.
//!
//! Its size is the widget's first load, so views choose between branches with `either!` and
//! `Option`, never a type-erased `AnyView` (`.into_any()`, `<Show>`'s children), which brings
//! its own build, rebuild and mount code for every type erased. For the same reason each kind
//! of reactive value has one type: every reactive text, attribute value or property is a
//! `Signal<String>` (`Signal::derive`), never a closure of its own, every button's click
//! handler is `on_press`, and every effect is `effect`.
//!
//! Modules, in reading order:

/// The allocator of both wasm binaries: talc, smaller and faster than Rust's default (dlmalloc).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// HTTP calls and their wire shapes.
pub mod api;
/// The widget: session token, events, focus.
pub mod connect;
/// The browser demo.
#[cfg(feature = "demo")]
pub mod demo;
/// Events for the host.
pub mod event;
/// One session's flow: list, form, submit, outcome.
mod flow;
/// The provider form.
mod form;
/// The widget's words in ten languages.
pub mod i18n;
/// The `/connect/` page.
pub mod iframe;
/// The integration list.
pub mod integrations;
/// JSON through the browser's `JSON`.
mod json;
/// `mountConnect`, the JavaScript entry.
mod mount;
/// OAuth 2: the popup, its WebSocket and callback page, the redirect mode.
pub mod oauth;
/// What a panic tells the browser's console.
pub mod panic;
/// A read that follows a reactive source.
mod read;
/// `RegExp` for core's pattern rules.
pub mod regexp;
/// Loading, success and failure screens; codes to words.
pub mod screens;
/// Light, dark or system; the primary colour; the app's name and logo.
pub mod theme;

/// A button's click handler that runs `callback`: every button's handler is this one type, so
/// the code that attaches a click handler is in the wasm once, not once per button.
fn on_press(callback: leptos::prelude::Callback<()>) -> impl Fn(leptos::ev::MouseEvent) + 'static {
    move |_| leptos::prelude::Callable::run(&callback, ())
}

/// An effect that runs `f` again whenever what it read changes: every effect is this one type,
/// so Leptos's effect code is in the wasm once, not once per effect.
fn effect(f: impl Fn() + 'static) {
    let f: Box<dyn Fn()> = Box::new(f);
    leptos::prelude::Effect::new(move |_| f());
}

pub use connect::Connect;
pub use event::ConnectEvent;
pub use iframe::ConnectPage;
pub use mount::{ConnectHandle, mount_connect};
pub use theme::Theme;

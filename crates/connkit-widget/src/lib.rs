//! connkit-widget: a Leptos Connect widget. It collects the connection_config and credentials a
//! provider needs, checks them with connkit-core (patterns with the browser's own `RegExp`),
//! and calls Nango-wire session and auth endpoints (connkit-server, or Nango itself).
//!
//! Three ways in, one component: [`Connect`] for Leptos apps, `mountConnect(element, {
//! sessionToken, apiURL, onEvent })` for any web page, and [`ConnectPage`] at `/connect/` for
//! `@nangohq/frontend`'s `openConnectUI`. The `demo` feature adds the browser demo around it.
//!
//! Rules are connkit-core's (a Rust dependency, never the npm package); this crate is views,
//! HTTP and events. Modules, in reading order:

/// The allocator of both wasm binaries: talc, smaller and faster than Rust's default (dlmalloc).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// HTTP calls and their wire shapes.
pub mod api;
/// The flow.
pub mod connect;
/// The browser demo.
#[cfg(feature = "demo")]
pub mod demo;
/// Events for the host.
pub mod event;
/// The provider form.
mod form;
/// The `/connect/` page.
pub mod iframe;
/// The integration list.
pub mod integrations;
/// `RegExp` for core's pattern rules.
pub mod regexp;
/// Loading, success and failure screens; codes to English.
pub mod screens;

pub use connect::Connect;
pub use event::ConnectEvent;
pub use iframe::ConnectPage;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// A mounted widget (`mountConnect`'s result): `unmount()` removes it.
#[wasm_bindgen]
#[allow(missing_debug_implementations)] // holds a closure
pub struct ConnectHandle {
    unmount: Option<Box<dyn FnOnce()>>,
}

#[wasm_bindgen]
impl ConnectHandle {
    /// Removes the widget from its element.
    pub fn unmount(&mut self) {
        if let Some(unmount) = self.unmount.take() {
            unmount();
        }
    }
}

/// `mountConnect(element, { sessionToken, apiURL, onEvent })`: renders the widget inline in
/// `element`. `onEvent` receives Connect UI events (`{type, payload?}`). Never throws: a
/// missing option shows the widget's own error screen or waits for a token.
#[wasm_bindgen(js_name = mountConnect)]
pub fn mount_connect(element: web_sys::HtmlElement, options: JsValue) -> ConnectHandle {
    let get = |k: &str| {
        js_sys::Reflect::get(&options, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
    };
    let token = get("sessionToken").as_string().filter(|t| !t.is_empty());
    let api_url = get("apiURL")
        .as_string()
        .or_else(|| window().location().origin().ok())
        .unwrap_or_default();
    let on_event = get("onEvent").dyn_into::<js_sys::Function>().ok();
    let handle = leptos::mount::mount_to(element, move || {
        let emit = Callback::new(move |event: ConnectEvent| {
            if let Some(f) = &on_event {
                // A throwing host callback must not break the widget.
                let _ = f.call1(&JsValue::NULL, &event.to_js());
            }
        });
        view! { <Connect api_url=api_url session_token=Signal::stored(token) on_event=emit /> }
    });
    ConnectHandle {
        unmount: Some(Box::new(move || drop(handle))),
    }
}

//! `mountConnect(element, { sessionToken, apiURL, onEvent, redirect, lang, i18nURL, theme,
//! primary, appName, logo })`: the widget for any web page, exported to JavaScript from the
//! `/connect/` bundle (the `<connkit-connect>` custom element calls it). It reads the options object,
//! renders [`Connect`] into the element and hands back a [`ConnectHandle`] to remove it.
//!
//! A page that an OAuth flow in redirect mode returns to must call `mountConnect` again: the
//! widget resumes the flow there (with the session it kept; `sessionToken` may be left out) and
//! emits `connect` or `error`.
//!
//! Knows nothing about the flow; it only translates JavaScript options and events.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::connect::Connect;
use crate::event::ConnectEvent;
use crate::theme::Theme;

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

/// `mountConnect(element, { sessionToken, apiURL, onEvent, redirect, lang, i18nURL, theme, … })`:
/// renders the widget inline in `element`. `onEvent` receives Connect UI events (`{type,
/// payload?}`); `redirect: true` makes OAuth go through the provider in this tab instead of a
/// popup; `lang` picks the language (else the browser's), whose catalogue is fetched from
/// `i18nURL` (by default `<apiURL>/connect/i18n/`, where connkit-server serves the widget);
/// `theme`, `primary`, `appName` and `logo` are the theme contract (`theme.rs`). Never throws: a
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
    let redirect = get("redirect").as_bool().unwrap_or(false);
    let theme = Theme::read(|k| get(k).as_string());
    let lang = get("lang").as_string();
    let i18n_url = get("i18nURL")
        .as_string()
        .unwrap_or_else(|| format!("{}/connect/i18n/", api_url.trim_end_matches('/')));
    let handle = leptos::mount::mount_to(element, move || {
        let emit = Callback::new(move |event: ConnectEvent| {
            if let Some(f) = &on_event {
                // A throwing host callback must not break the widget.
                let _ = f.call1(&JsValue::NULL, &event.to_js());
            }
        });
        view! {
            <Connect
                api_url=api_url
                session_token=Signal::stored(token)
                on_event=emit
                redirect=redirect
                theme=theme
                lang=lang
                i18n_url=i18n_url
            />
        }
    });
    ConnectHandle {
        unmount: Some(Box::new(move || drop(handle))),
    }
}

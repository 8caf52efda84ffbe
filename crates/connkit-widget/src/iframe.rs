//! The page served at `/connect/` that speaks Nango's Connect UI protocol (spec §3.7), so that
//! `@nangohq/frontend`'s `openConnectUI({ baseURL, apiURL })` can open connkit's widget: it
//! posts `ready` to its parent, takes the token from `?session_token=` or from the parent's
//! `{type: 'session_token', sessionToken}` message, and forwards every widget event to the
//! parent. The widget sits in an overlaid `role="dialog"`; Escape and the close button close it.
//! `?redirect=true` makes OAuth go through the provider in the whole tab instead of a popup;
//! `?theme=light|dark|system` (the SDK's `themeOverride`), `primary`, `appName` and `logo` are
//! the theme contract (`theme.rs`); `?lang=` picks the language (Connect UI's parameter; else
//! the browser's), also set as the page's `<html lang>`.
//!
//! Opened at the top of its tab instead (a connect link, or the return of a redirect-mode
//! OAuth flow started in the iframe: `oauth/redirect.rs`), it is Connect UI's "auth link" mode:
//! no close button, no parent to tell, and the success screen says the tab can be closed.
//!
//! Knows nothing about the flow itself (that is [`Connect`]).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::connect::Connect;
use crate::event::ConnectEvent;
use crate::i18n::choose;
use crate::oauth::redirect::in_frame;
use crate::theme::Theme;

/// The `/connect/` page.
#[component]
pub fn ConnectPage() -> impl IntoView {
    let window = window();
    let params = window
        .location()
        .search()
        .ok()
        .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok());
    let param = |name: &str| {
        params
            .as_ref()
            .and_then(|p| p.get(name))
            .filter(|v| !v.is_empty())
    };
    let api_url = param("apiURL")
        .or_else(|| window.location().origin().ok())
        .unwrap_or_default();
    let token = RwSignal::new(param("session_token"));
    let redirect = param("redirect").as_deref() == Some("true");
    let framed = in_frame();
    let lang = choose(param("lang").as_deref());
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("lang", lang);
    }
    // `theme` is what `openConnectUI`'s `themeOverride` sends; `primary`, `appName` and `logo`
    // ride in its `baseURL`'s query (the SDK keeps it).
    let theme = Theme::read(param);
    if let Some(mode) = theme.mode
        && let Some(root) = document().document_element()
    {
        let _ = root.set_attribute("data-theme", mode.as_str());
    }

    // The parent's `session_token` message (any origin, as Connect UI: spec §3.7).
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            let data = ev.data();
            let field = |k: &str| {
                js_sys::Reflect::get(&data, &k.into())
                    .ok()
                    .and_then(|v| v.as_string())
            };
            if field("type").as_deref() == Some("session_token")
                && let Some(t) = field("sessionToken").filter(|t| !t.is_empty())
            {
                token.set(Some(t));
            }
        });
    let _ = window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    // The page lives as long as the document.
    on_message.forget();

    let post = move |event: ConnectEvent| {
        if framed && let Ok(Some(parent)) = window.parent() {
            let _ = parent.post_message(&event.to_js(), "*");
        }
    };
    view! {
        <div class="ck-backdrop">
            <div class="ck-dialog" role="dialog" aria-modal="true" aria-labelledby="ck-title">
                <Connect
                    api_url=api_url
                    session_token=token
                    on_event=Callback::new(post)
                    closable=framed
                    redirect=redirect
                    standalone=!framed
                    theme=theme
                    lang=lang.to_owned()
                />
            </div>
        </div>
    }
}

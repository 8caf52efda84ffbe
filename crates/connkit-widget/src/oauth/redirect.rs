//! The OAuth flow's redirect mode (spec §12.27), for pages where no popup opens: the page
//! itself goes to `/oauth/connect` with a `return_url`, through the provider, and comes back
//! with `connkit_oauth_result=<id>`, which the widget reads once with its session token.
//!
//! Where it returns, and how the token survives the round trip:
//! * Inline (`Connect`, `mountConnect`): to the host page as it was (without an earlier result
//!   id); the token and API URL wait in the tab's `sessionStorage`, which only this origin
//!   reads, and are taken on return. The host must mount the widget again on that page: it
//!   resumes there, shows the outcome and emits `connect` or `error`.
//! * The `/connect/` iframe of `openConnectUI`: a frame cannot learn its host page's address
//!   and its storage is not the top page's, so the whole tab goes (with the click's user
//!   activation, which a frame needs to navigate its top) to the flow and returns to the
//!   `/connect/` page itself, at the top, with the session token in its URL as Connect UI's
//!   connect links carry it. The outcome is shown there ("You can now close this tab"); the host
//!   page, gone, hears of the connection through its webhook, as for any connect link.
//!
//! The result id alone proves nothing: the server answers it only to the session the flow ran
//! under, once. Knows nothing about views.

use leptos::prelude::window;
use wasm_bindgen::JsValue;

use connkit_core::request::RESULT_PARAM;

use crate::api::Api;

/// The `sessionStorage` entry that carries the session across the round trip: the API base URL
/// and the token, joined by [`KEPT_SEPARATOR`].
const STORAGE_KEY: &str = "connkit.oauth";

/// Between the kept API base URL and token: a line break, which a token never holds (a base URL
/// that held one would not match the widget's on return, and no token would be taken).
const KEPT_SEPARATOR: &str = "\n";

/// A flow's return to be read: the result's id, and the token the flow started with (when this
/// tab kept it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resume {
    pub(crate) id: String,
    pub(crate) token: Option<String>,
}

/// True when the widget runs in a frame (the `/connect/` iframe).
pub(crate) fn in_frame() -> bool {
    let win = window();
    match win.top() {
        Ok(Some(top)) => !js_sys::Object::is(&top, win.as_ref()),
        _ => true,
    }
}

/// True when this page is the return of a redirect-mode flow.
pub fn returning() -> bool {
    current_url().is_some_and(|url| url.search_params().has(RESULT_PARAM))
}

/// Sends the page (or, in a frame, the whole tab) to `connect_url` in redirect mode. Must run
/// in a click handler when in a frame. `Err` when the browser refused.
pub(crate) fn go(api: &Api, connect_url: &str) -> Result<(), JsValue> {
    let win = window();
    let here = current_url().ok_or(JsValue::NULL)?;
    here.search_params().delete(RESULT_PARAM);
    let target = if in_frame() {
        here.search_params().set("session_token", api.token());
        win.top()?.ok_or(JsValue::NULL)?
    } else {
        let kept = [api.base(), api.token()].join(KEPT_SEPARATOR);
        storage()
            .ok_or(JsValue::NULL)?
            .set_item(STORAGE_KEY, &kept)?;
        win
    };
    let url = Api::with_return_url(connect_url, &here.href());
    target.location().set_href(&url)
}

/// Takes this page's return, if it is one, for the widget of `api_url`: the result id leaves
/// the address bar (a reload does not read it again) and the kept token leaves the storage.
pub(crate) fn take_resume(api_url: &str) -> Option<Resume> {
    let url = current_url()?;
    let id = url.search_params().get(RESULT_PARAM)?;
    url.search_params().delete(RESULT_PARAM);
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url.href()));
    }
    let kept = storage().and_then(|s| {
        let text = s.get_item(STORAGE_KEY).ok().flatten()?;
        let _ = s.remove_item(STORAGE_KEY);
        Some(text)
    });
    let base = api_url.trim_end_matches('/');
    let token = kept.as_deref().and_then(|kept| {
        let (api, token) = kept.split_once(KEPT_SEPARATOR)?;
        (api == base).then(|| token.to_owned())
    });
    Some(Resume { id, token })
}

fn current_url() -> Option<web_sys::Url> {
    let href = window().location().href().ok()?;
    web_sys::Url::new(&href).ok()
}

fn storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

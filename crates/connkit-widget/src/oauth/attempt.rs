//! One popup attempt of the OAuth flow (spec §3.5), run by `www/connect/oauth.js`: a
//! JavaScript module beside the widget's bundle, imported only when an attempt starts, so that
//! its WebSocket, callback-page listeners and popup polling are not part of the first load. The
//! module tells the outcome as the WebSocket message tells it, which `api::read_outcome` reads
//! here; this side keeps the phase shown.
//!
//! Closed-window detection never ends the attempt by itself: a provider page that sends
//! `Cross-Origin-Opener-Policy` cuts the popup off from its opener, which then reads `closed`
//! as true while the user is still signing in. The module only reports a popup that has read
//! closed for its grace period, which turns the status to [`Phase::Closed`] (offering to open it
//! again, to continue in this tab or to cancel); the attempt ends only with an outcome from the
//! WebSocket or the callback page, or a person's cancel.
//!
//! Knows nothing about views, forms or the redirect mode.

use leptos::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Window;

use super::Phase;
use crate::api::{ApiError, AuthResult, read_outcome};

/// The module, beside the widget's JavaScript (a dynamic import resolves against the importing
/// module's own address, wherever the page that loaded it is).
const MODULE: &str = "./oauth.js";

#[wasm_bindgen]
extern "C" {
    /// The dynamic `import()`.
    #[wasm_bindgen(js_name = import)]
    fn import_module(specifier: &str) -> js_sys::Promise;

    type Module;
    /// `attempt(websocketUrl, connectUrl, apiOrigin, popup, onPopup)`.
    #[wasm_bindgen(method)]
    fn attempt(
        this: &Module,
        websocket_url: &str,
        connect_url: &str,
        api_origin: Option<String>,
        popup: &Window,
        on_popup: &Closure<dyn FnMut(bool)>,
    ) -> Handle;

    /// An attempt under way in the module.
    #[derive(Clone)]
    pub(crate) type Handle;
    #[wasm_bindgen(method, getter)]
    fn done(this: &Handle) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn reopen(this: &Handle, popup: &Window);
    #[wasm_bindgen(method)]
    fn cancel(this: &Handle);
    #[wasm_bindgen(method)]
    fn close(this: &Handle);
}

/// An attempt under way; cloning gives another handle to the same attempt.
#[derive(Clone)]
pub(crate) struct Attempt {
    handle: Handle,
    phase: RwSignal<Phase>,
}

impl Attempt {
    /// Goes on in `popup`, a new window the person opened after the first one closed.
    pub(crate) fn reopen(&self, popup: Window) {
        self.handle.reopen(&popup);
        self.phase.set(Phase::Waiting);
    }

    /// Ends the attempt as the person asked: `window_closed`, as Nango's SDK reports it.
    pub(crate) fn cancel(&self) {
        self.handle.cancel();
    }
}

/// What an attempt holds while it runs: detached when the attempt's future ends or is dropped
/// (the widget went away mid-flow), which also closes a popup still open.
struct Running {
    popup: Window,
    handle: Option<Handle>,
    _on_popup: Option<Closure<dyn FnMut(bool)>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        match &self.handle {
            Some(handle) => handle.close(),
            None if !self.popup.closed().unwrap_or(true) => {
                let _ = self.popup.close();
            }
            None => {}
        }
    }
}

/// Runs an attempt in `popup` (opened blank in the click handler) for `connect_url`, reporting
/// through `phase`; `started` receives its handle once the module runs it. Its outcome, once.
pub(crate) async fn run(
    websocket_url: &str,
    connect_url: &str,
    api_origin: Option<String>,
    popup: Window,
    phase: RwSignal<Phase>,
    started: impl FnOnce(Attempt),
) -> Result<AuthResult, ApiError> {
    phase.set(Phase::Waiting);
    let mut running = Running {
        popup,
        handle: None,
        _on_popup: None,
    };
    let module: Module = JsFuture::from(import_module(MODULE))
        .await
        .map_err(|_| ApiError::Network)?
        .unchecked_into();
    // The widget may be gone (its signal with it) while the attempt winds down.
    let on_popup =
        Closure::<dyn FnMut(bool)>::new(move |closed| match (closed, phase.try_get_untracked()) {
            (true, Some(Phase::Waiting)) => phase.set(Phase::Closed),
            (false, Some(Phase::Closed)) => phase.set(Phase::Waiting),
            _ => {}
        });
    let handle = module.attempt(
        websocket_url,
        connect_url,
        api_origin,
        &running.popup,
        &on_popup,
    );
    running.handle = Some(handle.clone());
    running._on_popup = Some(on_popup);
    started(Attempt {
        handle: handle.clone(),
        phase,
    });
    let outcome = JsFuture::from(handle.done()).await.unwrap_or(JsValue::NULL);
    drop(running);
    crate::json::from_js(&outcome)
        .and_then(|message| read_outcome(&message))
        .map_or(Err(ApiError::Network), |o| o.result)
}

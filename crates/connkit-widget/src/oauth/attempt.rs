//! One popup attempt of the OAuth flow (spec §3.5): the WebSocket to the API (its
//! `connection_ack` names the popup's `ws_client_id`, and its `success` or `error` message ends
//! the attempt), the callback page's messages (a `postMessage` from the API origin, answered
//! with Connect UI's ack, and `BroadcastChannel('nango-oauth-callback')`), and the popup's
//! `closed` flag, polled.
//!
//! Closed-window detection never ends the attempt by itself: a provider page that sends
//! `Cross-Origin-Opener-Policy` cuts the popup off from its opener, which then reads `closed`
//! as true while the user is still signing in (Nango's users see false "window closed" errors
//! there). The attempt ends only with an outcome from the WebSocket or the callback page, or a
//! person's cancel; a popup that reads closed for [`GRACE`] only turns the status to
//! [`Phase::Closed`], which offers to open it again, to continue in this tab or to cancel, and the
//! WebSocket stays open, so a flow that goes on still finishes.
//!
//! Knows nothing about views, forms or the redirect mode.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use futures_channel::oneshot;
use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{BroadcastChannel, MessageEvent, WebSocket, Window};

use super::Phase;
use crate::api::{ApiError, AuthResult, read_outcome};

/// How long the popup must read closed before the widget says so: longer than the callback
/// page takes to close itself after telling its outcome, so a finished flow never shows it.
const GRACE: Duration = Duration::from_secs(3);

/// How often the popup's `closed` flag is read (Nango's SDK: 500 ms).
const POLL: Duration = Duration::from_millis(500);

/// The channel the callback page also posts on.
const CHANNEL: &str = "nango-oauth-callback";

/// An attempt under way; cloning gives another handle to the same attempt.
#[derive(Clone)]
pub(crate) struct Attempt {
    inner: Rc<Inner>,
}

struct Inner {
    /// `/oauth/connect/…` without its `ws_client_id`.
    connect_url: String,
    /// Where the callback page's `postMessage`s must come from.
    api_origin: Option<String>,
    popup: RefCell<Option<Window>>,
    ws_client_id: RefCell<Option<String>>,
    /// When the popup was first seen closed (ms since the epoch), while it stays so.
    closed_since: Cell<Option<f64>>,
    done: RefCell<Option<oneshot::Sender<Result<AuthResult, ApiError>>>>,
    phase: RwSignal<Phase>,
}

/// What an attempt listens with; detached when the attempt's future ends or is dropped (the
/// widget went away mid-flow), which also closes a popup still open.
struct Listeners {
    inner: Rc<Inner>,
    socket: WebSocket,
    channel: Option<BroadcastChannel>,
    _on_socket: Closure<dyn FnMut(MessageEvent)>,
    _on_socket_end: Closure<dyn FnMut()>,
    on_window: Closure<dyn FnMut(MessageEvent)>,
    _on_channel: Closure<dyn FnMut(MessageEvent)>,
    poll: Option<IntervalHandle>,
}

impl Attempt {
    /// Starts an attempt in `popup` (opened blank in the click handler) for `connect_url`,
    /// reporting through `phase`; the future gives its outcome, once, and detaches everything
    /// when it ends or is dropped.
    pub(crate) fn start(
        websocket_url: &str,
        connect_url: String,
        api_origin: Option<String>,
        popup: Window,
        phase: RwSignal<Phase>,
    ) -> (
        Attempt,
        impl Future<Output = Result<AuthResult, ApiError>> + use<>,
    ) {
        let (tx, rx) = oneshot::channel();
        let inner = Rc::new(Inner {
            connect_url,
            api_origin,
            popup: RefCell::new(Some(popup)),
            ws_client_id: RefCell::new(None),
            closed_since: Cell::new(None),
            done: RefCell::new(Some(tx)),
            phase,
        });
        phase.set(Phase::Waiting);
        let listeners = listen(&inner, websocket_url);
        let attempt = Attempt {
            inner: inner.clone(),
        };
        let outcome = async move {
            let outcome = rx.await.unwrap_or(Err(ApiError::Network));
            drop(listeners);
            outcome
        };
        (attempt, outcome)
    }

    /// Goes on in `popup`, a new window the person opened after the first one closed.
    pub(crate) fn reopen(&self, popup: Window) {
        let inner = &self.inner;
        if let Some(id) = inner.ws_client_id.borrow().as_deref() {
            navigate(&popup, &inner.connect_url, id);
        }
        *inner.popup.borrow_mut() = Some(popup);
        inner.closed_since.set(None);
        inner.phase.set(Phase::Waiting);
    }

    /// Ends the attempt as the person asked: `window_closed`, as Nango's SDK reports it.
    pub(crate) fn cancel(&self) {
        self.inner.finish(Err(ApiError::Flow {
            code: "window_closed".to_owned(),
            message: String::new(),
        }));
    }
}

impl Inner {
    fn finish(&self, outcome: Result<AuthResult, ApiError>) {
        if let Some(tx) = self.done.borrow_mut().take() {
            let _ = tx.send(outcome);
        }
    }

    fn finished(&self) -> bool {
        self.done.borrow().is_none()
    }

    /// A WebSocket message: the ack sends the popup on, an outcome ends the attempt.
    fn on_socket(&self, text: &str) {
        let Some(message) = crate::json::parse(text) else {
            return;
        };
        if message["message_type"] == "connection_ack" {
            let Some(id) = message["ws_client_id"].as_str() else {
                return;
            };
            *self.ws_client_id.borrow_mut() = Some(id.to_owned());
            if let Some(popup) = self.popup.borrow().as_ref() {
                navigate(popup, &self.connect_url, id);
            }
            return;
        }
        if let Some(outcome) = read_outcome(&message) {
            self.finish(outcome.result);
        }
    }

    /// A callback page's message (`data` as JSON): its error ends the attempt, and so does its
    /// success when it names the connection (connkit's page does; Nango's leaves that to the
    /// WebSocket). A message naming another flow's `wsClientId` is not this attempt's; one
    /// naming none is taken only from `postMessage` (`trusted_without_id`), as Connect UI does.
    fn on_page(&self, data: &Value, trusted_without_id: bool) -> bool {
        let payload = &data["payload"];
        let ours = match (
            payload["wsClientId"].as_str(),
            self.ws_client_id.borrow().as_deref(),
        ) {
            (Some(theirs), Some(ours)) => theirs == ours,
            (Some(_), None) => false,
            (None, _) => trusted_without_id,
        };
        if !ours {
            return false;
        }
        match data["type"].as_str() {
            Some("nango_oauth_callback_error") => {
                let text = |k: &str| payload[k].as_str().unwrap_or_default().to_owned();
                let code = Some(text("errorType"))
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(|| "connection_validation_failed".to_owned());
                self.finish(Err(ApiError::Flow {
                    code,
                    message: text("message"),
                }));
                true
            }
            Some("nango_oauth_callback_success") => {
                let text = |k: &str| payload[k].as_str().map(str::to_owned);
                if let (Some(provider_config_key), Some(connection_id)) =
                    (text("providerConfigKey"), text("connectionId"))
                {
                    self.finish(Ok(AuthResult {
                        provider_config_key,
                        connection_id,
                    }));
                }
                true
            }
            _ => false,
        }
    }

    /// One poll of the popup: [`Phase::Closed`] once it has read closed for [`GRACE`], back to
    /// [`Phase::Waiting`] if it reads open again.
    fn poll(&self) {
        if self.finished() {
            return;
        }
        let closed = self
            .popup
            .borrow()
            .as_ref()
            .is_none_or(|p| p.closed().unwrap_or(true));
        let now = js_sys::Date::now();
        // The widget may be gone (its signal with it) while the attempt winds down.
        let phase = self.phase.try_get_untracked();
        if !closed {
            self.closed_since.set(None);
            if phase == Some(Phase::Closed) {
                self.phase.set(Phase::Waiting);
            }
            return;
        }
        let since = self.closed_since.get().unwrap_or(now);
        self.closed_since.set(Some(since));
        if now - since >= GRACE.as_secs_f64() * 1000.0 && phase == Some(Phase::Waiting) {
            self.phase.set(Phase::Closed);
        }
    }
}

/// Sends the popup to the connect URL with the WebSocket client's id.
fn navigate(popup: &Window, connect_url: &str, ws_client_id: &str) {
    let url = format!(
        "{connect_url}&ws_client_id={}",
        connkit_core::js::encode_uri_component(ws_client_id)
    );
    let _ = popup.location().set_href(&url);
}

/// Attaches the attempt's listeners; `None` (and the attempt ended with `network_error`) when
/// no WebSocket can be opened.
fn listen(inner: &Rc<Inner>, websocket_url: &str) -> Option<Listeners> {
    let Ok(socket) = WebSocket::new(websocket_url) else {
        inner.finish(Err(ApiError::Network));
        return None;
    };
    let on_socket = {
        let inner = inner.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(text) = ev.data().as_string() {
                inner.on_socket(&text);
            }
        })
    };
    socket.set_onmessage(Some(on_socket.as_ref().unchecked_ref()));
    // Before the ack, a socket that fails or closes ends the attempt (the popup has nowhere to
    // go); after it, the callback page can still tell the outcome.
    let on_socket_end = {
        let inner = inner.clone();
        Closure::<dyn FnMut()>::new(move || {
            if inner.ws_client_id.borrow().is_none() {
                inner.finish(Err(ApiError::Network));
            }
        })
    };
    socket.set_onerror(Some(on_socket_end.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_socket_end.as_ref().unchecked_ref()));

    let on_window = {
        let inner = inner.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            // Only the API origin's pages, never this window's own messages (Connect UI).
            let from_api = inner.api_origin.as_deref() == Some(ev.origin().as_str());
            let own = ev
                .source()
                .is_some_and(|s| js_sys::Object::is(&s, window().as_ref()));
            if !from_api || own {
                return;
            }
            let Some(data) = to_json(&ev.data()) else {
                return;
            };
            if inner.on_page(&data, true) {
                acknowledge(&ev);
            }
        })
    };
    let _ =
        window().add_event_listener_with_callback("message", on_window.as_ref().unchecked_ref());

    let on_channel = {
        let inner = inner.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(data) = to_json(&ev.data()) {
                inner.on_page(&data, false);
            }
        })
    };
    let channel = BroadcastChannel::new(CHANNEL).ok();
    if let Some(channel) = &channel {
        channel.set_onmessage(Some(on_channel.as_ref().unchecked_ref()));
    }

    let poll = {
        let inner = inner.clone();
        set_interval_with_handle(move || inner.poll(), POLL).ok()
    };
    Some(Listeners {
        inner: inner.clone(),
        socket,
        channel,
        _on_socket: on_socket,
        _on_socket_end: on_socket_end,
        on_window,
        _on_channel: on_channel,
        poll,
    })
}

impl Drop for Listeners {
    fn drop(&mut self) {
        self.socket.set_onmessage(None);
        self.socket.set_onerror(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
        let _ = window().remove_event_listener_with_callback(
            "message",
            self.on_window.as_ref().unchecked_ref(),
        );
        if let Some(channel) = &self.channel {
            channel.set_onmessage(None);
            channel.close();
        }
        if let Some(poll) = self.poll.take() {
            poll.clear();
        }
        if let Some(popup) = self.inner.popup.borrow_mut().take()
            && !popup.closed().unwrap_or(true)
        {
            let _ = popup.close();
        }
    }
}

/// Connect UI's answer to the callback page, which then closes itself.
fn acknowledge(ev: &MessageEvent) {
    // A window of another origin is reachable only through its `postMessage`; no type check
    // passes across origins.
    let Some(source) = ev.source().map(|s| s.unchecked_into::<Window>()) else {
        return;
    };
    let ack = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&ack, &"type".into(), &"nango_oauth_callback_ack".into());
    let _ = source.post_message(&ack, &ev.origin());
}

/// A message's data as JSON (what the callback page posts is plain data).
fn to_json(data: &wasm_bindgen::JsValue) -> Option<Value> {
    crate::json::parse(&js_sys::JSON::stringify(data).ok()?.as_string()?)
}

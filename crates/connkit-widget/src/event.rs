//! What the widget tells its host, in the shape of Nango's Connect UI events (spec §3.7):
//! `ready`, `close`, `connect` with `{providerConfigKey, connectionId}`, `error` with
//! `{errorType, errorMessage}`. The same values reach a Leptos parent (a `Callback`), a JS
//! `onEvent` and, in the iframe page, the parent window.
//!
//! Knows nothing about views or transports.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

/// One event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectEvent {
    /// The widget is mounted and waits for (or has) a session token.
    Ready,
    /// The user closed the widget.
    Close,
    /// A connection was made.
    Connect {
        /// The integration's unique key.
        provider_config_key: String,
        /// The new (or re-authorised) connection's id.
        connection_id: String,
    },
    /// A failure was shown to the user.
    Error {
        /// A stable code (`session_expired`, `network_error`, the server's code…).
        error_type: String,
        /// What the user was told.
        error_message: String,
    },
}

impl ConnectEvent {
    /// `{type, payload?}` as Connect UI posts it.
    pub fn to_js(&self) -> JsValue {
        let out = Object::new();
        let set = |target: &Object, k: &str, v: &JsValue| {
            // Setting a plain data property on a fresh object cannot fail.
            let _ = Reflect::set(target, &JsValue::from_str(k), v);
        };
        let kind = match self {
            ConnectEvent::Ready => "ready",
            ConnectEvent::Close => "close",
            ConnectEvent::Connect { .. } => "connect",
            ConnectEvent::Error { .. } => "error",
        };
        set(&out, "type", &JsValue::from_str(kind));
        let payload = Object::new();
        match self {
            ConnectEvent::Connect {
                provider_config_key,
                connection_id,
            } => {
                set(&payload, "providerConfigKey", &provider_config_key.into());
                set(&payload, "connectionId", &connection_id.into());
                set(&out, "payload", &payload);
            }
            ConnectEvent::Error {
                error_type,
                error_message,
            } => {
                set(&payload, "errorType", &error_type.into());
                set(&payload, "errorMessage", &error_message.into());
                set(&out, "payload", &payload);
            }
            ConnectEvent::Ready | ConnectEvent::Close => {}
        }
        out.into()
    }
}

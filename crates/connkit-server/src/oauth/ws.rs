//! The WebSocket @nangohq/frontend opens before it sends a popup to `/oauth/connect` (spec
//! §3.5): on connect the server sends `{"message_type":"connection_ack","ws_client_id":"<uuid
//! v4>"}`; the flow that names that `ws_client_id` later sends it one `success` or `error`
//! message, and the socket is closed. It listens at `/` on the API's own port (Nango's
//! `websocketsPath` default), next to every other route (`routes/ws.rs` upgrades).
//!
//! The waiting clients live in this process ([`Sockets`]): a flow whose callback reaches another
//! process would need a shared channel (Nango uses Redis; PostgreSQL's LISTEN/NOTIFY would do),
//! and only `Sockets` would change. A socket waits at most the flow lifetime. Knows nothing about
//! sessions or providers.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use connkit_core::oauth2::FlowError;
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;

/// Where WebSocket clients connect (Nango's default `NANGO_SERVER_WEBSOCKETS_PATH`).
pub(crate) const PATH: &str = "/";

/// The clients waiting for an outcome, by `ws_client_id`.
#[derive(Debug, Default)]
pub(crate) struct Sockets {
    waiting: Mutex<HashMap<String, oneshot::Sender<String>>>,
}

impl Sockets {
    fn register(&self) -> (String, oneshot::Receiver<String>) {
        let id = uuid::Uuid::new_v4().to_string();
        let (tx, rx) = oneshot::channel();
        self.lock().insert(id.clone(), tx);
        (id, rx)
    }

    fn forget(&self, id: &str) {
        self.lock().remove(id);
    }

    /// Hands `message` to the client `id` (which then gets no other); false when no such client
    /// waits.
    pub(crate) fn publish(&self, id: &str, message: &Value) -> bool {
        let sender = self.lock().remove(id);
        sender.is_some_and(|tx| tx.send(message.to_string()).is_ok())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<String>>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `{"message_type":"success",…}` for a connection made.
pub(crate) fn success_message(provider_config_key: &str, connection_id: &str) -> Value {
    json!({
        "message_type": "success",
        "provider_config_key": provider_config_key,
        "connection_id": connection_id,
        "is_pending": false,
    })
}

/// `{"message_type":"error",…}`; the key and the connection id are left out when unknown (as
/// `JSON.stringify` leaves out `undefined`).
pub(crate) fn error_message(
    provider_config_key: Option<&str>,
    connection_id: Option<&str>,
    error: &FlowError,
) -> Value {
    let mut out = Map::new();
    out.insert("message_type".into(), Value::from("error"));
    if let Some(key) = provider_config_key {
        out.insert("provider_config_key".into(), Value::from(key));
    }
    if let Some(id) = connection_id {
        out.insert("connection_id".into(), Value::from(id));
    }
    out.insert("error_type".into(), Value::from(error.error_type()));
    out.insert("error_desc".into(), Value::from(error.message()));
    Value::Object(out)
}

/// One client: the ack, then the outcome (or the client leaving, or `lifetime` passing).
pub(crate) async fn wait(mut socket: WebSocket, sockets: &Sockets, lifetime: Duration) {
    let (id, mut outcome) = sockets.register();
    let ack = json!({"message_type": "connection_ack", "ws_client_id": id}).to_string();
    if socket.send(Message::Text(ack.into())).await.is_err() {
        sockets.forget(&id);
        return;
    }
    let waited = tokio::time::timeout(lifetime, async {
        loop {
            tokio::select! {
                message = &mut outcome => return message.ok(),
                incoming = socket.recv() => match incoming {
                    None | Some(Err(_) | Ok(Message::Close(_))) => return None,
                    Some(Ok(_)) => {}
                },
            }
        }
    })
    .await;
    sockets.forget(&id);
    if let Ok(Some(text)) = waited {
        let _ = socket.send(Message::Text(text.into())).await;
    }
    let _ = socket.send(Message::Close(None)).await;
}

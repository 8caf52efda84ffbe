//! The WebSocket @nangohq/frontend opens before it sends a popup to `/oauth/connect` (spec
//! §3.5): on connect the server sends `{"message_type":"connection_ack","ws_client_id":"<uuid
//! v4>"}`; the flow that names that `ws_client_id` later sends it one `success` or `error`
//! message, and the socket is closed. It listens at `/` on the API's own port (Nango's
//! `websocketsPath` default), next to every other route (`routes/ws.rs` upgrades).
//!
//! The waiting clients live in the process that accepted them ([`Sockets`]). When servers share
//! a database (PostgreSQL), a flow's callback may reach another server than its client: an
//! outcome for a client this process does not hold goes through the store's relay (stored, with
//! a `NOTIFY` naming the client, as Nango publishes on Redis), and each server listens for the
//! clients it holds, and looks for their stored outcomes now and then in case a notification
//! was missed (a listener reconnecting hears nothing): `Settings::oauth_relay_look`. A socket waits at most the
//! flow lifetime. Knows nothing about sessions, providers or SQL.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use connkit_core::oauth2::FlowError;
use serde_json::{Map, Value, json};
use tokio::sync::oneshot;

use crate::store::{RelayListener, Store};
use crate::timestamp;

/// Where WebSocket clients connect (Nango's default `NANGO_SERVER_WEBSOCKETS_PATH`).
pub(crate) const PATH: &str = "/";

/// The clients waiting for an outcome, by `ws_client_id`.
#[derive(Debug, Clone)]
pub(crate) struct Sockets {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    waiting: Mutex<HashMap<String, oneshot::Sender<String>>>,
    store: Store,
}

impl Sockets {
    /// No client waits yet; when `store` is shared with other servers, outcomes relayed by them
    /// are listened for, and looked for every `look` (needs a Tokio runtime).
    pub(crate) fn new(store: Store, look: Duration) -> Sockets {
        let relayed = store.is_shared();
        let shared = Arc::new(Shared {
            waiting: Mutex::default(),
            store,
        });
        if relayed {
            tokio::spawn(listen(Arc::downgrade(&shared), look));
        }
        Sockets { shared }
    }

    fn register(&self) -> (String, oneshot::Receiver<String>) {
        let id = uuid::Uuid::new_v4().to_string();
        let (tx, rx) = oneshot::channel();
        self.shared.lock().insert(id.clone(), tx);
        (id, rx)
    }

    fn forget(&self, id: &str) {
        self.shared.lock().remove(id);
    }

    /// Hands `message` to the client `id` (which then gets no other): here if it waits here,
    /// else through the relay when other servers share the database (a client id that no
    /// server can have issued is not relayed). False when it reached no one.
    pub(crate) fn publish(&self, id: &str, message: &Value) -> bool {
        let text = message.to_string();
        let Err(text) = self.shared.deliver(id, text) else {
            return true;
        };
        let store = &self.shared.store;
        if !store.is_shared() || uuid::Uuid::try_parse(id).is_err() {
            return false;
        }
        let (store, id) = (store.clone(), id.to_owned());
        tokio::spawn(async move {
            if let Err(err) = store.relay_outcome(&id, &text, timestamp::now()).await {
                tracing::warn!("an OAuth outcome for a client of another server was lost: {err}");
            }
        });
        true
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<String>>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands `text` to client `id` if it waits here; gives `text` back if not.
    fn deliver(&self, id: &str, text: String) -> Result<(), String> {
        match self.lock().remove(id) {
            Some(tx) => tx.send(text),
            None => Err(text),
        }
    }

    /// Takes and hands out the stored outcomes of `clients` (those waiting here).
    async fn take(&self, clients: Vec<String>) {
        if clients.is_empty() {
            return;
        }
        match self.store.take_outcomes(&clients).await {
            Ok(outcomes) => {
                for (id, text) in outcomes {
                    let _ = self.deliver(&id, text);
                }
            }
            Err(err) => tracing::warn!("relayed OAuth outcomes unreadable: {err}"),
        }
    }

    fn waiting_ids(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }
}

/// Listens for outcomes relayed to clients of this process, until the [`Sockets`] are dropped:
/// a notification naming a waiting client takes its outcome; every `look`, and after the
/// listener lost its connection, every waiting client's outcome is looked for.
async fn listen(shared: Weak<Shared>, look: Duration) {
    loop {
        let Some(store) = shared.upgrade().map(|s| s.store.clone()) else {
            return;
        };
        let listener = match store.relay_listener().await {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(err) => {
                tracing::warn!("cannot listen for relayed OAuth outcomes: {err}");
                tokio::time::sleep(look).await;
                continue;
            }
        };
        drop(store);
        if !listen_with(&shared, listener, look).await {
            return;
        }
        tokio::time::sleep(look).await;
    }
}

/// Serves one listener until it fails (true: listen again) or the sockets are gone (false).
async fn listen_with(shared: &Weak<Shared>, mut listener: RelayListener, look: Duration) -> bool {
    // Outcomes stored before the listener was up.
    let mut look_now = true;
    let mut every = tokio::time::interval(look);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let Some(sockets) = shared.upgrade() else {
            return false;
        };
        if look_now {
            sockets.take(sockets.waiting_ids()).await;
        }
        drop(sockets);
        look_now = tokio::select! {
            heard = listener.next() => match heard {
                Ok(Some(id)) => {
                    if let Some(sockets) = shared.upgrade()
                        && sockets.lock().contains_key(&id)
                    {
                        sockets.take(vec![id]).await;
                    }
                    false
                }
                // The connection was lost and made again: notifications may have been missed.
                Ok(None) => true,
                Err(err) => {
                    tracing::warn!("listening for relayed OAuth outcomes failed: {err}");
                    return true;
                }
            },
            _ = every.tick() => true,
        };
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

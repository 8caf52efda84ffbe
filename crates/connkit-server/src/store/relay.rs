//! OAuth outcomes handed between servers that share a database (PostgreSQL): the server that
//! handles a provider's callback may not be the one the flow's WebSocket client waits on. The
//! outcome is stored with a notification naming the client (`LISTEN/NOTIFY`, delivered at
//! commit to every server listening); the server the client waits on takes it. A server whose
//! listener was reconnecting when the notification went out misses it, so servers also look
//! for stored outcomes of their waiting clients now and then ([`Store::take_outcomes`]).
//!
//! On SQLite one server holds the database, so nothing is relayed. Knows nothing about
//! WebSockets: `oauth/ws.rs` holds the waiting clients.

use super::postgres::PgRelayListener;
use super::{Backend, Result, Store};
use crate::timestamp::Micros;

/// The notifications of relayed outcomes: each names a WebSocket client id.
#[derive(Debug)]
pub(crate) struct RelayListener {
    inner: PgRelayListener,
}

impl RelayListener {
    /// The next client id an outcome was stored for; `None` when the connection was lost (it
    /// is made again), so that notifications may have been missed.
    pub(crate) async fn next(&mut self) -> Result<Option<String>> {
        self.inner.next().await
    }
}

impl Store {
    /// Stores `message` for WebSocket client `client` and notifies every server (nothing on
    /// SQLite); durable when this returns.
    pub(crate) async fn relay_outcome(
        &self,
        client: &str,
        message: &str,
        now: Micros,
    ) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(_) => Ok(()),
            Backend::Postgres(db) => db.relay_outcome(client, message, now).await,
        }
    }

    /// Takes the stored outcomes of any of `clients`: `(client id, message)`.
    pub(crate) async fn take_outcomes(&self, clients: &[String]) -> Result<Vec<(String, String)>> {
        match &self.backend {
            Backend::Sqlite(_) => Ok(Vec::new()),
            Backend::Postgres(db) => db.take_outcomes(clients).await,
        }
    }

    /// Listens for relayed outcomes; `None` where nothing is relayed (SQLite).
    pub(crate) async fn relay_listener(&self) -> Result<Option<RelayListener>> {
        match &self.backend {
            Backend::Sqlite(_) => Ok(None),
            Backend::Postgres(db) => Ok(Some(RelayListener {
                inner: db.relay_listener().await?,
            })),
        }
    }
}

//! Relayed OAuth outcomes on PostgreSQL (`oauth_outcomes`, `migrations/postgres/0001_init.sql`):
//! an outcome is a row and a `NOTIFY connkit_oauth_outcome, '<client id>'` in one transaction,
//! so a listener that hears the id finds the row. The payload is the id alone (NOTIFY payloads
//! must stay under 8000 bytes; messages carry provider error texts of any length).
//!
//! Knows nothing about WebSockets.

use std::time::Duration;

use sqlx::Row;
use sqlx::postgres::PgListener;

use super::PgStore;
use crate::store::Result;
use crate::timestamp::Micros;

/// The channel of relayed outcomes.
const CHANNEL: &str = "connkit_oauth_outcome";

/// How long an outcome nobody took is kept (a WebSocket client waits at most the flow's
/// lifetime, an hour by default).
const KEEP: Duration = Duration::from_secs(3600);

/// A connection listening on [`CHANNEL`].
#[derive(Debug)]
pub(in crate::store) struct PgRelayListener {
    listener: PgListener,
}

impl PgRelayListener {
    pub(in crate::store) async fn next(&mut self) -> Result<Option<String>> {
        Ok(self
            .listener
            .try_recv()
            .await?
            .map(|n| n.payload().to_owned()))
    }
}

impl PgStore {
    pub(in crate::store) async fn relay_outcome(
        &self,
        client: &str,
        message: &str,
        now: Micros,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "DELETE FROM oauth_outcomes WHERE ws_client_id IN (SELECT ws_client_id \
             FROM oauth_outcomes WHERE created_at <= $1 LIMIT 100 FOR UPDATE SKIP LOCKED)",
        )
        .bind(now.saturating_sub(i64::try_from(KEEP.as_micros()).unwrap_or(i64::MAX)))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO oauth_outcomes (ws_client_id, message, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (ws_client_id) DO UPDATE SET message = excluded.message, \
             created_at = excluded.created_at",
        )
        .bind(client)
        .bind(message)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(client)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(in crate::store) async fn take_outcomes(
        &self,
        clients: &[String],
    ) -> Result<Vec<(String, String)>> {
        if clients.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(
            "DELETE FROM oauth_outcomes WHERE ws_client_id = ANY($1) RETURNING ws_client_id, message",
        )
        .bind(clients)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    pub(in crate::store) async fn relay_listener(&self) -> Result<PgRelayListener> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(PgRelayListener { listener })
    }
}

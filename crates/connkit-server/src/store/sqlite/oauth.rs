//! The SQLite side of `store/oauth.rs`: the `oauth_flows` and `connection_refresh_failures`
//! tables (`migrations/sqlite/0002_oauth.sql`), `oauth_results` (`0005_oauth_results.sql`),
//! sessions by id, refreshed credentials.
//!
//! Knows nothing about HTTP, sealing (it stores the bytes it is given) or the rules.

use super::super::oauth::{FlowRow, NewOAuthFlow};
use super::super::{Result, Session, rows};
use super::{SESSION_COLUMNS, SqliteStore};
use crate::timestamp::Micros;

impl SqliteStore {
    pub(in crate::store) async fn create_oauth_flow(
        &self,
        flow: &NewOAuthFlow,
        state_hash: &[u8],
        sealed: &[u8],
    ) -> Result<()> {
        // One statement; the `oauth_flows_purge` trigger drops expired flows.
        sqlx::query(
            "INSERT INTO oauth_flows (state_hash, created_at, expires_at, connect_session, \
             provider_config_key, provider, connection_id, ws_client_id, webhook_url_override, \
             sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(state_hash.to_vec())
        .bind(flow.created_at)
        .bind(flow.expires_at)
        .bind(flow.connect_session)
        .bind(flow.provider_config_key.clone())
        .bind(flow.provider.clone())
        .bind(flow.connection_id.clone())
        .bind(flow.ws_client_id.clone())
        .bind(flow.webhook_url_override.clone())
        .bind(sealed.to_vec())
        .execute(self.writer()?)
        .await?;
        Ok(())
    }

    /// Deletes the flow and returns what it held: two callbacks with one state cannot both
    /// find it.
    pub(in crate::store) async fn take_oauth_flow(
        &self,
        state_hash: &[u8],
    ) -> Result<Option<FlowRow>> {
        let row = sqlx::query(
            "DELETE FROM oauth_flows WHERE state_hash = ? RETURNING expires_at, connect_session, \
             provider_config_key, provider, connection_id, ws_client_id, webhook_url_override, sealed",
        )
        .bind(state_hash.to_vec())
        .fetch_optional(self.writer()?)
        .await?;
        row.map(|r| rows::oauth_flow(&r)).transpose()
    }

    pub(in crate::store) async fn put_oauth_result(
        &self,
        hash: &[u8],
        session: i64,
        text: &str,
        expires_at: Micros,
        now: Micros,
    ) -> Result<()> {
        // Results live minutes and are few: the expired ones go as each new one comes.
        sqlx::query("DELETE FROM oauth_results WHERE expires_at <= ?")
            .bind(now)
            .execute(self.writer()?)
            .await?;
        sqlx::query(
            "INSERT INTO oauth_results (id_hash, connect_session, message, expires_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(hash.to_vec())
        .bind(session)
        .bind(text.to_owned())
        .bind(expires_at)
        .execute(self.writer()?)
        .await?;
        Ok(())
    }

    /// Deletes the result if it is `session`'s and returns its message and expiry: two reads
    /// cannot both find it, and another session's read leaves it.
    pub(in crate::store) async fn take_oauth_result(
        &self,
        hash: &[u8],
        session: i64,
    ) -> Result<Option<(String, Micros)>> {
        let row = sqlx::query_as(
            "DELETE FROM oauth_results WHERE id_hash = ? AND connect_session = ? \
             RETURNING message, expires_at",
        )
        .bind(hash.to_vec())
        .bind(session)
        .fetch_optional(self.writer()?)
        .await?;
        Ok(row)
    }

    pub(in crate::store) async fn session_by_id(&self, id: i64) -> Result<Option<Session>> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM connect_sessions WHERE id = ?");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| rows::session(&r)).transpose()
    }

    pub(in crate::store) async fn refresh_credentials(
        &self,
        id: i64,
        sealed: &[u8],
        now: Micros,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE connections SET credentials = ?, updated_at = ? WHERE id = ?")
            .bind(sealed.to_vec())
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM connection_refresh_failures WHERE connection = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(in crate::store) async fn refresh_failure(&self, id: i64) -> Result<Option<Micros>> {
        let at = sqlx::query_scalar(
            "SELECT failed_at FROM connection_refresh_failures WHERE connection = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(at)
    }

    pub(in crate::store) async fn set_refresh_failure(
        &self,
        id: i64,
        at: Option<Micros>,
    ) -> Result<()> {
        let query = match at {
            Some(at) => sqlx::query(
                "INSERT INTO connection_refresh_failures (connection, failed_at) \
                 SELECT id, ? FROM connections WHERE id = ? \
                 ON CONFLICT (connection) DO UPDATE SET failed_at = excluded.failed_at",
            )
            .bind(at)
            .bind(id),
            None => {
                sqlx::query("DELETE FROM connection_refresh_failures WHERE connection = ?").bind(id)
            }
        };
        query.execute(self.writer()?).await?;
        Ok(())
    }
}

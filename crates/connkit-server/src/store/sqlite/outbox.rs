//! The webhook outbox in SQLite (`migrations/sqlite/0003_webhook_outbox.sql`, leases from
//! `0004_instances.sql`).
//!
//! Knows nothing about deliveries beyond recording them.

use sqlx::{Sqlite, Transaction};

use super::SqliteStore;
use crate::store::{FailedWebhook, NewWebhook, PendingWebhook, Result, rows};
use crate::timestamp::Micros;

/// Inserts `webhook`, due `now`, inside `tx`.
pub(super) async fn insert(
    tx: &mut Transaction<'static, Sqlite>,
    webhook: &NewWebhook,
    now: Micros,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO webhook_outbox (url, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?)",
    )
    .bind(webhook.url.clone())
    .bind(webhook.body.clone())
    .bind(now)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl SqliteStore {
    pub(in crate::store) async fn queue_webhook(
        &self,
        webhook: &NewWebhook,
        now: Micros,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        insert(&mut tx, webhook, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One `UPDATE … RETURNING`: the claim and its lease commit together.
    pub(in crate::store) async fn claim_webhooks(
        &self,
        limit: u32,
        now: Micros,
        lease_until: Micros,
    ) -> Result<Vec<PendingWebhook>> {
        let found = sqlx::query(
            "UPDATE webhook_outbox SET lease_until = ? WHERE id IN (\
                SELECT id FROM webhook_outbox WHERE failed_at IS NULL AND next_attempt_at <= ? \
                AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at, id LIMIT ?) \
             RETURNING id, url, body, attempts, next_attempt_at",
        )
        .bind(lease_until)
        .bind(now)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(self.writer()?)
        .await?;
        let mut claimed = found
            .iter()
            .map(rows::pending_webhook)
            .collect::<Result<Vec<_>>>()?;
        // RETURNING gives rows in no promised order.
        claimed.sort_by_key(|row| (row.next_attempt_at, row.id));
        Ok(claimed)
    }

    pub(in crate::store) async fn next_webhook_due(&self, now: Micros) -> Result<Option<Micros>> {
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT min(at) FROM (\
                SELECT min(next_attempt_at) AS at FROM webhook_outbox \
                WHERE failed_at IS NULL AND (lease_until IS NULL OR lease_until <= ?) \
                UNION ALL SELECT min(max(next_attempt_at, lease_until)) FROM webhook_outbox \
                WHERE failed_at IS NULL AND lease_until > ?)",
        )
        .bind(now)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(next)
    }

    /// Ends every lease: on SQLite one server runs per database, so a lease found at start was
    /// left by a server that stopped without recording its delivery.
    pub(super) async fn end_webhook_leases(&self) -> Result<()> {
        sqlx::query("UPDATE webhook_outbox SET lease_until = NULL WHERE lease_until IS NOT NULL")
            .execute(self.writer()?)
            .await?;
        Ok(())
    }

    pub(in crate::store) async fn webhook_delivered(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM webhook_outbox WHERE id = ?")
            .bind(id)
            .execute(self.writer()?)
            .await?;
        Ok(())
    }

    pub(in crate::store) async fn webhook_attempted(
        &self,
        id: i64,
        attempts: u32,
        error: &str,
        at: Option<Micros>,
        now: Micros,
    ) -> Result<()> {
        let query = match at {
            Some(at) => sqlx::query(
                "UPDATE webhook_outbox SET attempts = ?, last_error = ?, next_attempt_at = ?, \
                 lease_until = NULL WHERE id = ?",
            )
            .bind(i64::from(attempts))
            .bind(error.to_owned())
            .bind(at)
            .bind(id),
            None => sqlx::query(
                "UPDATE webhook_outbox SET attempts = ?, last_error = ?, failed_at = ?, \
                 lease_until = NULL WHERE id = ?",
            )
            .bind(i64::from(attempts))
            .bind(error.to_owned())
            .bind(now)
            .bind(id),
        };
        query.execute(self.writer()?).await?;
        Ok(())
    }

    pub(in crate::store) async fn failed_webhooks(
        &self,
        limit: u32,
    ) -> Result<(Vec<FailedWebhook>, u64)> {
        let found = sqlx::query(
            "SELECT id, url, body, created_at, attempts, last_error, failed_at FROM webhook_outbox \
             WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let pending =
            sqlx::query_scalar("SELECT count(*) FROM webhook_outbox WHERE failed_at IS NULL")
                .fetch_one(&self.pool)
                .await?;
        rows::failed_page(&found, pending)
    }

    pub(in crate::store) async fn requeue_failed_webhooks(&self, now: Micros) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE webhook_outbox SET failed_at = NULL, attempts = 0, next_attempt_at = ?, \
             lease_until = NULL WHERE failed_at IS NOT NULL",
        )
        .bind(now)
        .execute(self.writer()?)
        .await?;
        Ok(done.rows_affected())
    }
}

//! The webhook outbox in SQLite (`migrations/sqlite/0003_webhook_outbox.sql`).
//!
//! Knows nothing about deliveries beyond recording them.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite, Transaction};

use super::SqliteStore;
use crate::store::{FailedWebhook, NewWebhook, PendingWebhook, Result};
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

fn attempts(row: &SqliteRow) -> Result<u32> {
    let n: i64 = row.try_get("attempts")?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
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

    pub(in crate::store) async fn pending_webhooks(
        &self,
        limit: u32,
    ) -> Result<Vec<PendingWebhook>> {
        let rows = sqlx::query(
            "SELECT id, url, body, attempts, next_attempt_at FROM webhook_outbox \
             WHERE failed_at IS NULL ORDER BY next_attempt_at, id LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PendingWebhook {
                    id: r.try_get("id")?,
                    url: r.try_get("url")?,
                    body: r.try_get("body")?,
                    attempts: attempts(r)?,
                    next_attempt_at: r.try_get("next_attempt_at")?,
                })
            })
            .collect()
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
                "UPDATE webhook_outbox SET attempts = ?, last_error = ?, next_attempt_at = ? \
                 WHERE id = ?",
            )
            .bind(i64::from(attempts))
            .bind(error.to_owned())
            .bind(at)
            .bind(id),
            None => sqlx::query(
                "UPDATE webhook_outbox SET attempts = ?, last_error = ?, failed_at = ? WHERE id = ?",
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
        let rows = sqlx::query(
            "SELECT id, url, body, created_at, attempts, last_error, failed_at FROM webhook_outbox \
             WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let failed = rows
            .iter()
            .map(|r| {
                Ok(FailedWebhook {
                    id: r.try_get("id")?,
                    url: r.try_get("url")?,
                    body: r.try_get("body")?,
                    created_at: r.try_get("created_at")?,
                    attempts: attempts(r)?,
                    last_error: r.try_get("last_error")?,
                    failed_at: r.try_get("failed_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let pending: i64 =
            sqlx::query_scalar("SELECT count(*) FROM webhook_outbox WHERE failed_at IS NULL")
                .fetch_one(&self.pool)
                .await?;
        Ok((failed, u64::try_from(pending).unwrap_or(0)))
    }

    pub(in crate::store) async fn requeue_failed_webhooks(&self, now: Micros) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE webhook_outbox SET failed_at = NULL, attempts = 0, next_attempt_at = ? \
             WHERE failed_at IS NOT NULL",
        )
        .bind(now)
        .execute(self.writer()?)
        .await?;
        Ok(done.rows_affected())
    }
}

//! The webhook outbox on PostgreSQL: several servers claim due rows with `FOR UPDATE SKIP
//! LOCKED`, so two claims at the same moment never take the same row, and each claimed row
//! carries a lease the others respect until it ends.
//!
//! Knows nothing about deliveries beyond recording them.

use sqlx::{Postgres, Transaction};

use super::PgStore;
use crate::store::{FailedWebhook, NewWebhook, PendingWebhook, Result, rows};
use crate::timestamp::Micros;

/// Inserts `webhook`, due `now`, inside `tx`.
pub(super) async fn insert(
    tx: &mut Transaction<'static, Postgres>,
    webhook: &NewWebhook,
    now: Micros,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO webhook_outbox (url, body, created_at, next_attempt_at) VALUES ($1, $2, $3, $3)",
    )
    .bind(&webhook.url)
    .bind(&webhook.body)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl PgStore {
    pub(in crate::store) async fn queue_webhook(
        &self,
        webhook: &NewWebhook,
        now: Micros,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        insert(&mut tx, webhook, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(in crate::store) async fn claim_webhooks(
        &self,
        limit: u32,
        now: Micros,
        lease_until: Micros,
    ) -> Result<Vec<PendingWebhook>> {
        let found = sqlx::query(
            "UPDATE webhook_outbox SET lease_until = $1 WHERE id IN (\
                SELECT id FROM webhook_outbox WHERE failed_at IS NULL AND next_attempt_at <= $2 \
                AND (lease_until IS NULL OR lease_until <= $2) ORDER BY next_attempt_at, id \
                LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING id, url, body, attempts, next_attempt_at",
        )
        .bind(lease_until)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
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
            "SELECT least(\
                (SELECT min(next_attempt_at) FROM webhook_outbox \
                 WHERE failed_at IS NULL AND (lease_until IS NULL OR lease_until <= $1)), \
                (SELECT min(greatest(next_attempt_at, lease_until)) FROM webhook_outbox \
                 WHERE failed_at IS NULL AND lease_until > $1))",
        )
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(next)
    }

    pub(in crate::store) async fn webhook_delivered(&self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM webhook_outbox WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
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
                "UPDATE webhook_outbox SET attempts = $1, last_error = $2, next_attempt_at = $3, \
                 lease_until = NULL WHERE id = $4",
            )
            .bind(i64::from(attempts))
            .bind(error)
            .bind(at)
            .bind(id),
            None => sqlx::query(
                "UPDATE webhook_outbox SET attempts = $1, last_error = $2, failed_at = $3, \
                 lease_until = NULL WHERE id = $4",
            )
            .bind(i64::from(attempts))
            .bind(error)
            .bind(now)
            .bind(id),
        };
        query.execute(&self.pool).await?;
        Ok(())
    }

    pub(in crate::store) async fn failed_webhooks(
        &self,
        limit: u32,
    ) -> Result<(Vec<FailedWebhook>, u64)> {
        let found = sqlx::query(
            "SELECT id, url, body, created_at, attempts, last_error, failed_at FROM webhook_outbox \
             WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id DESC LIMIT $1",
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
            "UPDATE webhook_outbox SET failed_at = NULL, attempts = 0, next_attempt_at = $1, \
             lease_until = NULL WHERE failed_at IS NOT NULL",
        )
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

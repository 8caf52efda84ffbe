//! The webhook outbox's rows as the store hands them out, and the store's doors to them: queue
//! a webhook (alone, or with a connection write: [`AuthWrite::webhook`](super::AuthWrite)),
//! read the rows due, record what a delivery did, list and requeue the failed ones.
//!
//! Knows nothing about HTTP, signatures or retry policy: the worker in `webhook.rs` decides.

use super::{Backend, Result, Store};
use crate::timestamp::Micros;

/// A webhook to queue: where it goes and the exact body to sign and send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewWebhook {
    pub(crate) url: String,
    pub(crate) body: String,
}

/// The auth webhook a connection write queues in its own transaction, for each outcome: a new
/// connection is announced by `created`, a re-authorised one by `overridden`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuthWebhookRows {
    pub(crate) created: NewWebhook,
    pub(crate) overridden: NewWebhook,
}

/// A pending outbox row.
#[derive(Debug, Clone)]
pub(crate) struct PendingWebhook {
    pub(crate) id: i64,
    pub(crate) url: String,
    pub(crate) body: String,
    /// Tries so far.
    pub(crate) attempts: u32,
    pub(crate) next_attempt_at: Micros,
}

/// An outbox row that ran out of tries.
#[derive(Debug, Clone)]
pub(crate) struct FailedWebhook {
    pub(crate) id: i64,
    pub(crate) url: String,
    pub(crate) body: String,
    pub(crate) created_at: Micros,
    pub(crate) attempts: u32,
    pub(crate) last_error: Option<String>,
    pub(crate) failed_at: Micros,
}

impl Store {
    /// Queues `webhook` on its own; durable when this returns.
    pub(crate) async fn queue_webhook(&self, webhook: &NewWebhook, now: Micros) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(db) => db.queue_webhook(webhook, now).await,
        }
    }

    /// The first `limit` pending rows, soonest due first (due or not).
    pub(crate) async fn pending_webhooks(&self, limit: u32) -> Result<Vec<PendingWebhook>> {
        match &self.backend {
            Backend::Sqlite(db) => db.pending_webhooks(limit).await,
        }
    }

    /// A receiver took row `id`: it leaves the outbox.
    pub(crate) async fn webhook_delivered(&self, id: i64) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(db) => db.webhook_delivered(id).await,
        }
    }

    /// Row `id` failed its try number `attempts` (`error` says how) and is due again at `at`,
    /// or, with `at` = `None`, has failed for good.
    pub(crate) async fn webhook_attempted(
        &self,
        id: i64,
        attempts: u32,
        error: &str,
        at: Option<Micros>,
        now: Micros,
    ) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(db) => db.webhook_attempted(id, attempts, error, at, now).await,
        }
    }

    /// The newest `limit` failed rows, and how many rows are pending.
    pub(crate) async fn failed_webhooks(&self, limit: u32) -> Result<(Vec<FailedWebhook>, u64)> {
        match &self.backend {
            Backend::Sqlite(db) => db.failed_webhooks(limit).await,
        }
    }

    /// Makes every failed row pending again, due `now`, with its tries reset; how many.
    pub(crate) async fn requeue_failed_webhooks(&self, now: Micros) -> Result<u64> {
        match &self.backend {
            Backend::Sqlite(db) => db.requeue_failed_webhooks(now).await,
        }
    }
}

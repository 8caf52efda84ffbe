//! The webhook outbox's rows as the store hands them out, and the store's doors to them: queue
//! a webhook (alone, or with a connection write: [`AuthWrite::webhook`](super::AuthWrite)),
//! claim the rows due, record what a delivery did, list and requeue the failed ones.
//!
//! A claim leases its rows: until the lease ends no other claim (of this server or another one
//! on the same database) returns them, so each row is sent by one server at a time; recording
//! the outcome ends the lease, and a server that dies holding one only delays its rows.
//!
//! Knows nothing about HTTP, signatures or retry policy: the worker in `webhook.rs` decides.

use super::{AuthOutcome, Result, Store, on_backend};
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

impl AuthWebhookRows {
    /// The row announcing a write that went as `outcome` (a write that wrote nothing queues
    /// nothing, so any other outcome is a creation).
    pub(super) fn for_outcome(&self, outcome: AuthOutcome) -> &NewWebhook {
        match outcome {
            AuthOutcome::Overridden => &self.overridden,
            _ => &self.created,
        }
    }
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
        on_backend!(self, db => db.queue_webhook(webhook, now).await)
    }

    /// Claims at most `limit` pending rows due at `now` that no lease holds, soonest due first,
    /// leasing them until `lease_until`.
    pub(crate) async fn claim_webhooks(
        &self,
        limit: u32,
        now: Micros,
        lease_until: Micros,
    ) -> Result<Vec<PendingWebhook>> {
        on_backend!(self, db => db.claim_webhooks(limit, now, lease_until).await)
    }

    /// When the next pending row can be claimed after `now` (it falls due, or its lease ends),
    /// if any row is pending.
    pub(crate) async fn next_webhook_due(&self, now: Micros) -> Result<Option<Micros>> {
        on_backend!(self, db => db.next_webhook_due(now).await)
    }

    /// A receiver took row `id`: it leaves the outbox (and its lease ends).
    pub(crate) async fn webhook_delivered(&self, id: i64) -> Result<()> {
        on_backend!(self, db => db.webhook_delivered(id).await)
    }

    /// Row `id` failed its try number `attempts` (`error` says how) and is due again at `at`,
    /// or, with `at` = `None`, has failed for good; its lease ends.
    pub(crate) async fn webhook_attempted(
        &self,
        id: i64,
        attempts: u32,
        error: &str,
        at: Option<Micros>,
        now: Micros,
    ) -> Result<()> {
        on_backend!(self, db => db.webhook_attempted(id, attempts, error, at, now).await)
    }

    /// The newest `limit` failed rows, and how many rows are pending.
    pub(crate) async fn failed_webhooks(&self, limit: u32) -> Result<(Vec<FailedWebhook>, u64)> {
        on_backend!(self, db => db.failed_webhooks(limit).await)
    }

    /// Makes every failed row pending again, due `now`, with its tries reset; how many.
    pub(crate) async fn requeue_failed_webhooks(&self, now: Micros) -> Result<u64> {
        on_backend!(self, db => db.requeue_failed_webhooks(now).await)
    }
}

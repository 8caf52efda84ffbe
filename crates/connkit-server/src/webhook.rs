//! Auth webhook delivery (spec §7) in the background: handlers queue a payload and return at
//! once; a worker POSTs it with both signature headers and retries failures (network errors and
//! non-2xx answers) with exponential backoff.
//!
//! The payload, its exact bytes and the signatures come from `connkit_core::webhook`; this
//! module only moves bytes. Knows nothing about connections or sessions.

use std::sync::Arc;
use std::time::Duration;

use connkit_core::webhook::{AuthWebhook, Signatures, sign};
use tokio::sync::{Semaphore, mpsc};

/// How many times a delivery is tried, and the first pause between tries (doubled each time,
/// at most five minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in total (at least 1).
    pub attempts: u32,
    /// Pause after the first failure.
    pub first_backoff: Duration,
}

const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Deliveries waiting for the worker; past this, new webhooks are dropped (and logged).
const QUEUE: usize = 4096;
/// Deliveries in flight at once.
const CONCURRENCY: usize = 64;

/// One webhook to send.
#[derive(Debug)]
struct Delivery {
    url: String,
    body: String,
    signatures: Signatures,
}

/// The queue in front of the delivery worker.
#[derive(Debug, Clone)]
pub(crate) struct Webhooks {
    queue: mpsc::Sender<Delivery>,
}

impl Webhooks {
    /// Starts the worker on the current Tokio runtime.
    pub(crate) fn spawn(http: reqwest::Client, policy: RetryPolicy) -> Webhooks {
        let (queue, mut incoming) = mpsc::channel::<Delivery>(QUEUE);
        let permits = Arc::new(Semaphore::new(CONCURRENCY));
        tokio::spawn(async move {
            while let Some(delivery) = incoming.recv().await {
                let Ok(permit) = permits.clone().acquire_owned().await else {
                    return;
                };
                let http = http.clone();
                tokio::spawn(async move {
                    deliver(&http, policy, &delivery).await;
                    drop(permit);
                });
            }
        });
        Webhooks { queue }
    }

    /// Queues `webhook` for `url`, signed with `secret`. Never waits.
    pub(crate) fn send(&self, url: &str, secret: &str, webhook: &AuthWebhook) {
        let body = webhook.body();
        let signatures = sign(secret, body.as_bytes());
        let delivery = Delivery {
            url: url.to_owned(),
            body,
            signatures,
        };
        if self.queue.try_send(delivery).is_err() {
            tracing::error!(%url, "webhook queue full or closed; webhook dropped");
        }
    }
}

async fn deliver(http: &reqwest::Client, policy: RetryPolicy, delivery: &Delivery) {
    let mut backoff = policy.first_backoff;
    let attempts = policy.attempts.max(1);
    for attempt in 1..=attempts {
        let mut request = http
            .post(&delivery.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(delivery.body.clone());
        for (name, value) in delivery.signatures.headers() {
            request = request.header(name, value);
        }
        match request.send().await {
            Ok(response) if response.status().is_success() => {
                tracing::debug!(url = %delivery.url, attempt, "webhook delivered");
                return;
            }
            Ok(response) => {
                tracing::warn!(url = %delivery.url, attempt, status = %response.status(), "webhook refused");
            }
            Err(err) => {
                tracing::warn!(url = %delivery.url, attempt, "webhook failed: {err}");
            }
        }
        if attempt < attempts {
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }
    tracing::error!(url = %delivery.url, attempts, "webhook given up");
}

//! Auth webhook delivery (spec §7) through the outbox: a webhook is a database row before the
//! change that causes it is acknowledged (the auth endpoints write it in the connection's own
//! transaction), and a worker delivers every row at least once: after a restart, through a
//! receiver that is down for a while, never dropped for lack of room. Each try POSTs the stored
//! bytes with both signature headers (signed at send time with the current signing key); a
//! network error or a non-2xx answer is tried again after an exponential backoff with jitter,
//! until the policy's tries are spent: the row then stays, failed, for the operator (a log line
//! and `GET /connkit/webhooks`). On shutdown the worker delivers what is due, within a deadline;
//! the rest waits in the outbox for the next start.
//!
//! The payload, its exact bytes and the signatures come from `connkit_core::webhook`; this
//! module only moves bytes. Knows nothing about connections or sessions.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chacha20poly1305::aead::OsRng;
use chacha20poly1305::aead::rand_core::RngCore;
use connkit_core::webhook::{AuthWebhook, sign};
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::redact;
use crate::store::{NewWebhook, PendingWebhook, Store, StoreError};
use crate::timestamp::{self, Micros};

/// How many times a delivery is tried, and the first pause between tries (doubled each time,
/// at most five minutes, each pause drawn between its half and its whole).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in total (at least 1).
    pub attempts: u32,
    /// Pause after the first failure.
    pub first_backoff: Duration,
}

const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Deliveries in flight at once.
const CONCURRENCY: u32 = 64;
/// How long the worker waits after the outbox could not be read.
const STORE_RETRY: Duration = Duration::from_secs(1);
/// The longest the worker sleeps without looking at the outbox (rows queued by another path
/// than [`Webhooks::wake`], such as another server, are found by then).
const IDLE_LOOK: Duration = Duration::from_secs(30);
/// How long a claimed row stays this server's: longer than a delivery takes (its request times
/// out after 10 s), so no other server sends it meanwhile; the rows of a server that dies while
/// delivering wait this long for another one.
const LEASE: Duration = Duration::from_secs(60);

/// The outbox's worker, and the door to queue webhooks.
#[derive(Debug, Clone)]
pub(crate) struct Webhooks {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    http: reqwest::Client,
    policy: RetryPolicy,
    /// The signing key.
    secret: String,
    wake: Notify,
    stop: watch::Sender<bool>,
    worker: Mutex<Option<JoinHandle<()>>>,
}

impl Webhooks {
    /// Starts the worker on the current Tokio runtime; it first delivers what an earlier run
    /// left in the outbox.
    pub(crate) fn spawn(
        store: Store,
        http: reqwest::Client,
        policy: RetryPolicy,
        secret: String,
    ) -> Webhooks {
        let (stop, _) = watch::channel(false);
        let inner = Arc::new(Inner {
            store,
            http,
            policy,
            secret,
            wake: Notify::new(),
            stop,
            worker: Mutex::new(None),
        });
        let worker = tokio::spawn(run(inner.clone()));
        *inner.worker.lock().unwrap_or_else(PoisonError::into_inner) = Some(worker);
        Webhooks { inner }
    }

    /// The outbox row for `webhook` to `url`; a connection write takes one for each of its
    /// outcomes ([`AuthWebhookRows`]), to queue it in its own transaction.
    ///
    /// [`AuthWebhookRows`]: crate::store::AuthWebhookRows
    pub(crate) fn row(url: &str, webhook: &AuthWebhook) -> NewWebhook {
        NewWebhook {
            url: url.to_owned(),
            body: webhook.body(),
        }
    }

    /// Queues `webhook` for `url` on its own (for what is no connection write of the store's: a
    /// failed OAuth flow, a failed refresh); durable when this returns.
    pub(crate) async fn enqueue(&self, url: &str, webhook: &AuthWebhook) -> Result<(), StoreError> {
        let row = Webhooks::row(url, webhook);
        self.inner
            .store
            .queue_webhook(&row, timestamp::now())
            .await?;
        self.wake();
        Ok(())
    }

    /// Tells the worker that rows were queued (after the transaction that queued them).
    pub(crate) fn wake(&self) {
        self.inner.wake.notify_one();
    }

    /// Stops the worker: what is due is delivered, for at most `deadline`; what is left
    /// (not due yet, or cut short) stays in the outbox for the next start.
    pub(crate) async fn drain(&self, deadline: Duration) {
        let _ = self.inner.stop.send(true);
        let worker = self
            .inner
            .worker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(mut worker) = worker else {
            return;
        };
        if tokio::time::timeout(deadline, &mut worker).await.is_err() {
            worker.abort();
            tracing::warn!(
                "webhook delivery cut short at shutdown; the rest is sent after the next start"
            );
        }
    }
}

/// The worker: claims due rows into its free slots (at most [`CONCURRENCY`] deliveries at
/// once), then sleeps until a delivery ends, a row is queued, the next row is due or it is told
/// to stop. Claims lease their rows ([`LEASE`]), so servers sharing a database send each row
/// once.
async fn run(inner: Arc<Inner>) {
    let mut stop = inner.stop.subscribe();
    let mut deliveries: JoinSet<i64> = JoinSet::new();
    let mut in_flight = InFlight::default();
    loop {
        let stopping = *stop.borrow();
        let now = timestamp::now();
        let next = match start_due(&inner, &mut deliveries, &mut in_flight, now).await {
            // Every slot is busy: rows may be due, so wait for a delivery to end.
            Ok(true) => None,
            Ok(false) if stopping => {
                if in_flight.rows.is_empty() {
                    return;
                }
                Some(IDLE_LOOK)
            }
            Ok(false) => match inner.store.next_webhook_due(now).await {
                Ok(at) => Some(at.map_or(IDLE_LOOK, |at| until(at, now).min(IDLE_LOOK))),
                Err(err) => {
                    tracing::warn!("webhook outbox unreadable: {err}");
                    Some(STORE_RETRY)
                }
            },
            Err(err) => {
                tracing::warn!("webhook outbox unreadable: {err}");
                if stopping && in_flight.rows.is_empty() {
                    return;
                }
                Some(STORE_RETRY)
            }
        };
        tokio::select! {
            Some(done) = deliveries.join_next(), if !deliveries.is_empty() => {
                finished(&inner, &mut deliveries, &mut in_flight, done);
            }
            () = inner.wake.notified(), if !stopping => {}
            () = sleep_for(next), if next.is_some() => {}
            _ = stop.changed(), if !stopping => {}
        }
    }
}

/// The rows whose deliveries run, and rows claimed again before their running delivery ended.
#[derive(Debug, Default)]
struct InFlight {
    rows: HashSet<i64>,
    /// A delivery records its outcome (ending its lease) before the worker hears that it
    /// ended: a claim in between takes the row again, leased, and it is delivered once the
    /// running delivery ends (else it would wait out the lease undelivered).
    again: HashMap<i64, PendingWebhook>,
}

/// Claims the rows due at `now` into the free slots and starts their deliveries; true when
/// every slot is busy afterwards.
async fn start_due(
    inner: &Arc<Inner>,
    deliveries: &mut JoinSet<i64>,
    in_flight: &mut InFlight,
    now: Micros,
) -> Result<bool, StoreError> {
    let busy = u32::try_from(in_flight.rows.len()).unwrap_or(u32::MAX);
    let free = CONCURRENCY.saturating_sub(busy);
    if free > 0 {
        let lease = i64::try_from(LEASE.as_micros()).unwrap_or(i64::MAX);
        let claimed = inner
            .store
            .claim_webhooks(free, now, now.saturating_add(lease))
            .await?;
        for row in claimed {
            if in_flight.rows.insert(row.id) {
                deliveries.spawn(deliver(inner.clone(), row));
            } else {
                in_flight.again.insert(row.id, row);
            }
        }
    }
    Ok(u32::try_from(in_flight.rows.len()).unwrap_or(u32::MAX) >= CONCURRENCY)
}

/// A delivery ended: its slot is free, or taken by the row's next claim.
fn finished(
    inner: &Arc<Inner>,
    deliveries: &mut JoinSet<i64>,
    in_flight: &mut InFlight,
    done: Result<i64, tokio::task::JoinError>,
) {
    if let Ok(id) = done {
        match in_flight.again.remove(&id) {
            Some(row) => {
                deliveries.spawn(deliver(inner.clone(), row));
            }
            None => {
                in_flight.rows.remove(&id);
            }
        }
    }
}

async fn sleep_for(wait: Option<Duration>) {
    tokio::time::sleep(wait.unwrap_or(Duration::ZERO)).await;
}

/// How long from `now` until `at`.
fn until(at: Micros, now: Micros) -> Duration {
    Duration::from_micros(u64::try_from(at.saturating_sub(now)).unwrap_or(0))
}

/// One try of one row; records what happened; returns the row's id.
async fn deliver(inner: Arc<Inner>, row: PendingWebhook) -> i64 {
    let signatures = sign(&inner.secret, row.body.as_bytes());
    let mut request = inner
        .http
        .post(&row.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(row.body.clone());
    for (name, value) in signatures.headers() {
        request = request.header(name, value);
    }
    let outcome = match request.send().await {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => Err(format!("status {}", response.status().as_u16())),
        Err(err) => Err(redact::request_error(&err).to_owned()),
    };
    let attempt = row.attempts.saturating_add(1);
    let url = redact::url(&row.url);
    let id = row.id;
    let store = &inner.store;
    let mut pause = STORE_RETRY;
    let recorded = match outcome {
        Ok(()) => {
            tracing::debug!(id, %url, attempt, "webhook delivered");
            store.webhook_delivered(id).await
        }
        Err(error) if attempt >= inner.policy.attempts.max(1) => {
            tracing::error!(
                id,
                %url,
                attempts = attempt,
                %error,
                "webhook delivery failed for good; it stays in the outbox \
                 (GET /connkit/webhooks lists it, POST /connkit/webhooks/retry sends it again)"
            );
            store
                .webhook_attempted(id, attempt, &error, None, timestamp::now())
                .await
        }
        Err(error) => {
            pause = backoff(inner.policy, attempt);
            tracing::warn!(id, %url, attempt, %error, retry_in = ?pause, "webhook refused or unreachable");
            let now = timestamp::now();
            let at = now.saturating_add(i64::try_from(pause.as_micros()).unwrap_or(i64::MAX));
            store
                .webhook_attempted(id, attempt, &error, Some(at), now)
                .await
        }
    };
    if let Err(err) = recorded {
        // The row keeps its last state, so it is tried again (at least once); holding its slot
        // for a while keeps a database that takes no writes from turning into a resend loop.
        tracing::warn!(id, "webhook outcome not recorded: {err}");
        tokio::time::sleep(pause.max(STORE_RETRY)).await;
    }
    id
}

/// The pause after try number `attempt` failed: `first_backoff · 2^(attempt−1)`, at most
/// [`MAX_BACKOFF`], drawn uniformly between its half and its whole so that webhooks that failed
/// together do not all come back together.
fn backoff(policy: RetryPolicy, attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1).min(20);
    let full = policy
        .first_backoff
        .saturating_mul(1 << doublings)
        .min(MAX_BACKOFF);
    let half = full / 2;
    let spread = u64::try_from(half.as_micros()).unwrap_or(u64::MAX);
    let jitter = if spread == 0 {
        0
    } else {
        OsRng.next_u64() % (spread + 1)
    };
    half + Duration::from_micros(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Keyring;
    use axum::http::{HeaderMap, StatusCode};
    use connkit_core::webhook::{HMAC_HEADER, Operation, verify_hmac};

    #[tokio::test]
    async fn an_enqueued_webhook_is_delivered_signed_with_the_current_key() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("db").display());
        let store = Store::open(&url, Keyring::from_bytes(&[1; 32]))
            .await
            .unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(HeaderMap, String)>();
        let receiver = axum::Router::new().route(
            "/in",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let _ = tx.send((headers, body));
                async { StatusCode::OK }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, receiver).await });
        let policy = RetryPolicy {
            attempts: 3,
            first_backoff: Duration::from_millis(10),
        };
        let hooks = Webhooks::spawn(store, reqwest::Client::new(), policy, "whsec".into());
        let webhook = AuthWebhook {
            connection_id: "c1".into(),
            provider_config_key: "k".into(),
            auth_mode: "OAUTH2".into(),
            provider: "p".into(),
            environment: "dev".into(),
            operation: Operation::Creation,
            tags: None,
            end_user: None,
            error: None,
        };
        hooks
            .enqueue(&format!("http://{addr}/in"), &webhook)
            .await
            .unwrap();
        let (headers, body) = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(body, webhook.body());
        let signature = headers.get(HMAC_HEADER).and_then(|v| v.to_str().ok());
        assert!(verify_hmac("whsec", body.as_bytes(), signature).is_ok());
        hooks.drain(Duration::from_secs(5)).await;
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let policy = RetryPolicy {
            attempts: 10,
            first_backoff: Duration::from_secs(1),
        };
        for (attempt, full) in [(1, 1), (2, 2), (3, 4), (9, 256), (10, 300), (40, 300)] {
            let full = Duration::from_secs(full);
            for _ in 0..50 {
                let pause = backoff(policy, attempt);
                assert!(pause >= full / 2 && pause <= full, "{attempt}: {pause:?}");
            }
        }
    }
}

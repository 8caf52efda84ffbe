//! Webhooks across failures, against the real process: every webhook of a connection write is
//! delivered after a SIGKILL, after a receiver was down for a while (with more webhooks waiting
//! than the in-memory queue of earlier versions held), and within the deadline of a SIGTERM.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{KEY, Server, Start, client, data_dir, session_token};

/// A webhook receiver on loopback that records the `connectionId` of every webhook it takes
/// while up. While down it answers 503, or, if it `hangs`, answers nothing until it is up.
#[derive(Clone)]
struct Receiver {
    url: String,
    up: Arc<AtomicBool>,
    hangs: bool,
    delay: Duration,
    taken: Arc<Mutex<HashSet<String>>>,
}

async fn take(State(r): State<Receiver>, body: String) -> StatusCode {
    while r.hangs && !r.up.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if !r.up.load(Ordering::SeqCst) {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    tokio::time::sleep(r.delay).await;
    let body: Value = serde_json::from_str(&body).unwrap_or_default();
    if let Some(id) = body["connectionId"].as_str() {
        r.taken.lock().unwrap().insert(id.to_owned());
    }
    StatusCode::OK
}

async fn receiver(up: bool, hangs: bool, delay: Duration) -> Receiver {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let receiver = Receiver {
        url: format!("http://{}/hooks", listener.local_addr().unwrap()),
        up: Arc::new(AtomicBool::new(up)),
        hangs,
        delay,
        taken: Arc::default(),
    };
    let app = Router::new()
        .route("/hooks", axum::routing::post(take))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    receiver
}

impl Receiver {
    /// Waits (at most `limit`) until every id of `ids` was taken; fails the test with the
    /// count still missing at the limit.
    async fn assert_all_taken(&self, ids: &[String], limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            let missing = {
                let taken = self.taken.lock().unwrap();
                ids.iter().filter(|id| !taken.contains(*id)).count()
            };
            if missing == 0 {
                return;
            }
            assert!(
                Instant::now() <= deadline,
                "{missing} of {} webhooks lost",
                ids.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Creates `n` NONE connections through one session; their ids.
async fn connections(server: &Server, n: usize) -> Vec<String> {
    let http = client();
    let token = session_token(&http, &server.base, KEY, json!({"tags": {"batch": "1"}})).await;
    let url = format!(
        "{}/auth/unauthenticated/unauthenticated?connect_session_token={token}",
        server.base
    );
    let mut ids = Vec::with_capacity(n);
    let mut pending = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (http, url) = (http.clone(), url.clone());
        pending.spawn(async move {
            let resp = http.post(&url).send().await.unwrap();
            assert_eq!(resp.status(), 200);
            let body: Value = resp.json().await.unwrap();
            body["connectionId"].as_str().unwrap().to_owned()
        });
        if pending.len() >= 16
            && let Some(id) = pending.join_next().await
        {
            ids.push(id.unwrap());
        }
    }
    while let Some(id) = pending.join_next().await {
        ids.push(id.unwrap());
    }
    ids
}

fn start<'a>(dir: &'a std::path::Path, hooks: &Receiver) -> Start<'a> {
    Start::new(dir).with_key().args(&[
        "--webhook-url",
        &hooks.url,
        "--webhook-backoff-ms",
        "50",
        "--webhook-attempts",
        "1000",
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_pending_at_a_sigkill_are_all_delivered_after_the_restart() {
    let hooks = receiver(false, false, Duration::ZERO).await;
    let (_tmp, dir) = data_dir();
    let mut server = start(&dir, &hooks).spawn().unwrap();
    let ids = connections(&server, 200).await;
    server.kill();
    hooks.up.store(true, Ordering::SeqCst);
    assert!(
        hooks.taken.lock().unwrap().is_empty(),
        "the receiver was down"
    );
    let _server = start(&dir, &hooks).spawn().unwrap();
    hooks.assert_all_taken(&ids, Duration::from_secs(20)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_down_for_a_while_loses_nothing() {
    let hooks = receiver(false, false, Duration::ZERO).await;
    let (_tmp, dir) = data_dir();
    let server = start(&dir, &hooks).spawn().unwrap();
    let ids = connections(&server, 300).await;
    // Down for two seconds of retries, then up.
    tokio::time::sleep(Duration::from_secs(2)).await;
    hooks.up.store(true, Ordering::SeqCst);
    hooks.assert_all_taken(&ids, Duration::from_secs(20)).await;
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_webhook_is_dropped_however_many_wait() {
    // A receiver that holds every request: deliveries stall, webhooks pile up. Earlier versions
    // queued 4,096 in memory and dropped the rest.
    let hooks = receiver(false, true, Duration::ZERO).await;
    let (_tmp, dir) = data_dir();
    let server = start(&dir, &hooks).spawn().unwrap();
    let ids = connections(&server, 4300).await;
    hooks.up.store(true, Ordering::SeqCst);
    hooks.assert_all_taken(&ids, Duration::from_secs(30)).await;
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sigterm_delivers_what_is_due_before_exiting() {
    let hooks = receiver(true, false, Duration::from_millis(300)).await;
    let (_tmp, dir) = data_dir();
    let mut server = start(&dir, &hooks).spawn().unwrap();
    let ids = connections(&server, 40).await;
    let status = server.terminate(Duration::from_secs(15));
    assert!(
        status.is_some_and(|s| s.success()),
        "exited cleanly in time: {status:?}"
    );
    let taken = hooks.taken.lock().unwrap().clone();
    let missing = ids.iter().filter(|id| !taken.contains(*id)).count();
    assert_eq!(missing, 0, "every due webhook delivered before the exit");
}

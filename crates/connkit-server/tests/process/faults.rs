//! The fault suite's database half: SIGKILL in the middle of a mixed write load (sessions,
//! connections, tag and metadata changes) loses no acknowledged write, on SQLite and on
//! PostgreSQL, and a full SQLite database answers 503 while full and takes writes again once
//! space is freed, without a restart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Backend, KEY, Server, Start, client, data_dir, session_token, status_of};

/// What the load had acknowledged when the server was killed.
#[derive(Debug, Default)]
struct Acked {
    /// Session tokens answered 201.
    sessions: Vec<String>,
    /// Per connection: the last tag and metadata versions answered 2xx (each worker writes its
    /// own connections one request at a time, so the stored version is that one or, if a
    /// request was in flight at the kill, the next).
    connections: HashMap<String, (u64, u64)>,
}

/// One worker: a session, a connection, then tag and metadata versions on it, a new
/// connection every few rounds, until `until`.
async fn worker(base: String, n: usize, until: Instant, acked: Arc<Mutex<Acked>>) {
    let http = client();
    while Instant::now() < until {
        // Versions count per connection: one in flight at the kill is its acknowledged one + 1.
        let mut round = 0u64;
        let Ok(resp) = http
            .post(format!("{base}/connect/sessions"))
            .bearer_auth(KEY)
            .json(&json!({"tags": {"worker": n.to_string()}}))
            .send()
            .await
        else {
            return;
        };
        if resp.status() != 201 {
            return;
        }
        let Ok(session) = resp.json::<Value>().await else {
            return;
        };
        let token = session["data"]["token"].as_str().unwrap_or("").to_owned();
        acked.lock().unwrap().sessions.push(token.clone());
        let Ok(resp) = http
            .post(format!(
                "{base}/auth/unauthenticated/unauthenticated?connect_session_token={token}"
            ))
            .send()
            .await
        else {
            return;
        };
        if resp.status() != 200 {
            return;
        }
        let Ok(made) = resp.json::<Value>().await else {
            return;
        };
        let id = made["connectionId"].as_str().unwrap_or("").to_owned();
        acked.lock().unwrap().connections.insert(id.clone(), (0, 0));
        let one = format!("{base}/connections/{id}?provider_config_key=unauthenticated");
        for _ in 0..5 {
            round += 1;
            let tags = json!({"tags": {"worker": n.to_string(), "v": round.to_string()}});
            match http.patch(&one).bearer_auth(KEY).json(&tags).send().await {
                Ok(resp) if resp.status() == 200 => {
                    acked.lock().unwrap().connections.get_mut(&id).unwrap().0 = round;
                }
                _ => return,
            }
            let metadata = json!({"connection_id": id, "provider_config_key": "unauthenticated",
                                  "metadata": {"v": round}});
            match http
                .post(format!("{base}/connections/metadata"))
                .bearer_auth(KEY)
                .json(&metadata)
                .send()
                .await
            {
                Ok(resp) if resp.status() == 201 => {
                    acked.lock().unwrap().connections.get_mut(&id).unwrap().1 = round;
                }
                _ => return,
            }
        }
    }
}

/// Checks that `server` holds everything in `acked`.
async fn holds(server: &Server, acked: &Acked) {
    let http = client();
    for token in &acked.sessions {
        let request = http
            .get(format!("{}/connect/session", server.base))
            .bearer_auth(token);
        assert_eq!(
            status_of(request).await,
            200,
            "an acknowledged session is gone"
        );
    }
    for (id, (tags, metadata)) in &acked.connections {
        let resp = http
            .get(format!(
                "{}/connections/{id}?provider_config_key=unauthenticated",
                server.base
            ))
            .bearer_auth(KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "an acknowledged connection is gone");
        let stored: Value = resp.json().await.unwrap();
        let version = |v: &Value| {
            v.as_str()
                .and_then(|s| s.parse::<u64>().ok())
                .or(v.as_u64())
        };
        let stored_tags = version(&stored["tags"]["v"]).unwrap_or(0);
        let stored_metadata = version(&stored["metadata"]["v"]).unwrap_or(0);
        assert!(
            stored_tags == *tags || stored_tags == tags + 1,
            "{id}: tags v{stored_tags}, acknowledged v{tags}"
        );
        assert!(
            stored_metadata == *metadata || stored_metadata == metadata + 1,
            "{id}: metadata v{stored_metadata}, acknowledged v{metadata}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_a_mixed_write_load_loses_no_acknowledged_write() {
    sigkill_under_load(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_a_mixed_write_load_loses_no_acknowledged_write_on_postgres() {
    sigkill_under_load(Backend::Postgres).await;
}

/// Three rounds of a write load killed mid-way, each restarted on the same database of
/// `backend`, checking after each restart every write acknowledged so far.
async fn sigkill_under_load(backend: Backend) {
    let (_tmp, dir) = data_dir();
    let database = backend.new_database().await;
    let database: Vec<&str> = database.iter().map(String::as_str).collect();
    let start = || Start::new(&dir).with_key().args(&database);
    let acked = Arc::new(Mutex::new(Acked::default()));
    for (kill, pause) in [1000, 1400, 1800].into_iter().enumerate() {
        let mut server = start().spawn().unwrap();
        let until = Instant::now() + Duration::from_secs(5);
        let workers: Vec<_> = (0..8)
            .map(|n| tokio::spawn(worker(server.base.clone(), n, until, acked.clone())))
            .collect();
        // Kill mid-load, at a different moment each round.
        tokio::time::sleep(Duration::from_millis(pause)).await;
        server.kill();
        for w in workers {
            w.await.unwrap();
        }
        let restarted = start().spawn().unwrap();
        let snapshot = {
            let acked = acked.lock().unwrap();
            Acked {
                sessions: acked.sessions.clone(),
                connections: acked.connections.clone(),
            }
        };
        let changed = snapshot
            .connections
            .values()
            .filter(|(t, m)| *t > 0 && *m > 0)
            .count();
        assert!(
            changed >= 8 * (kill + 1),
            "the load ran: {changed} connections changed"
        );
        holds(&restarted, &snapshot).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_database_answers_503_and_recovers_when_space_is_freed() {
    let (_tmp, dir) = data_dir();
    // A cap of 1 MiB: SQLite's real "database or disk is full" once it is reached.
    let server = Start::new(&dir)
        .with_key()
        .args(&["--max-database-size", "1048576"])
        .spawn()
        .unwrap();
    let http = client();
    let base = server.base.clone();
    let token = session_token(&http, &base, KEY, json!({"tags": {}})).await;
    let blob = "x".repeat(20_000);
    let mut made = Vec::new();
    let mut full = None;
    for _ in 0..200 {
        let resp = http
            .post(format!(
                "{base}/auth/unauthenticated/unauthenticated?connect_session_token={token}"
            ))
            .send()
            .await
            .unwrap();
        if resp.status() != 200 {
            full = Some((resp.status().as_u16(), resp.json::<Value>().await.unwrap()));
            break;
        }
        let id = resp.json::<Value>().await.unwrap()["connectionId"]
            .as_str()
            .unwrap()
            .to_owned();
        let metadata = json!({"connection_id": id, "provider_config_key": "unauthenticated",
                              "metadata": {"blob": blob}});
        let resp = http
            .post(format!("{base}/connections/metadata"))
            .bearer_auth(KEY)
            .json(&metadata)
            .send()
            .await
            .unwrap();
        made.push(id);
        if resp.status() != 201 {
            full = Some((resp.status().as_u16(), resp.json::<Value>().await.unwrap()));
            break;
        }
    }
    let (status, body) = full.expect("the database filled up");
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "service_unavailable");
    // Free space: delete half the connections.
    let keep = made.split_off(made.len() / 2);
    for id in &made {
        let request = http
            .delete(format!(
                "{base}/connections/{id}?provider_config_key=unauthenticated"
            ))
            .bearer_auth(KEY);
        assert_eq!(
            status_of(request).await,
            200,
            "deletes work on a full database"
        );
    }
    // Every kind of write works again, on the same process.
    let session = http
        .post(format!("{base}/connect/sessions"))
        .bearer_auth(KEY)
        .json(&json!({"tags": {"after": "full"}}));
    assert_eq!(status_of(session).await, 201);
    let id = &keep[0];
    let one = format!("{base}/connections/{id}?provider_config_key=unauthenticated");
    let patched = http
        .patch(&one)
        .bearer_auth(KEY)
        .json(&json!({"tags": {"after": "full"}}));
    assert_eq!(status_of(patched).await, 200);
    let metadata = http
        .post(format!("{base}/connections/metadata"))
        .bearer_auth(KEY)
        .json(
            &json!({"connection_id": id, "provider_config_key": "unauthenticated",
                      "metadata": {"blob": blob}}),
        );
    assert_eq!(status_of(metadata).await, 201);
    let made = http.post(format!(
        "{base}/auth/unauthenticated/unauthenticated?connect_session_token={token}"
    ));
    assert_eq!(status_of(made).await, 200);
    let health = http.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

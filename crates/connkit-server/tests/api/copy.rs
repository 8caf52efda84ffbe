//! `connkit-server copy`: a SQLite deployment moved to PostgreSQL and back, each server on the
//! copy answering as the original did (sessions, connections with their sealed credentials,
//! tag filters, search, the outbox); a copy stopped half way finished by running it again; a
//! destination under another key, or holding rows the source lacks, refused.
//!
//! These run on both backends whatever the suite's backend.

use std::ops::ControlFlow;

use connkit_server::crypto::Keyring;
use connkit_server::store::{CopiedTable, Store, StoreError};
use serde_json::{Value, json};

use crate::db::sqlite_url;
use crate::postgres::new_postgres_database;
use crate::support::TestApp;

/// The key every test app seals with (`TestApp::on`).
fn keys() -> Keyring {
    Keyring::from_bytes(&[7; 32])
}

/// Copies `from` into `to` in batches of `batch`; `stop_after` batches, if given, stop it.
async fn copy(
    from: &str,
    to: &str,
    batch: usize,
    stop_after: Option<usize>,
) -> Result<Vec<CopiedTable>, StoreError> {
    let source = Store::open(from, keys()).await.unwrap();
    let destination = Store::open(to, keys()).await.unwrap();
    let mut batches = 0;
    source
        .copy_to(&destination, batch, &mut |_| {
            batches += 1;
            match stop_after {
                Some(n) if batches >= n => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            }
        })
        .await
}

/// The rows of `table` a copy reported.
fn rows(copied: &[CopiedTable], table: &str) -> u64 {
    copied.iter().find(|t| t.table == table).unwrap().rows
}

/// What a server shows of its data: the list, each connection with its credentials, a tag
/// filter, a search, the outbox, and a session's own view.
async fn view(app: &TestApp, ids: &[String], token: &str) -> Value {
    let mut connections = Vec::new();
    for id in ids {
        let one = app.connection("demo-api-key", id).await;
        assert_eq!(one.status, 200, "{}", one.json);
        connections.push(json!([
            one.json["credentials"],
            one.json["metadata"],
            one.json["tags"]
        ]));
    }
    let session = app.session_of(token).await;
    assert_eq!(session.status, 200, "{}", session.json);
    json!({
        "list": app.secret("GET", "/connections", None).await.json,
        "filtered": app.secret("GET", "/connections?tags[team]=red", None).await.json,
        "search": app.secret("GET", "/connections?search=ADA", None).await.json,
        "connections": connections,
        "outbox": app.secret("GET", "/connkit/webhooks", None).await.json,
        "session": session.json,
    })
}

/// A SQLite app with connections (tags, end users, metadata), a live session, a failed webhook
/// and a refresh failure; returns it, its connection ids and the session's token.
async fn populated() -> (TestApp, Vec<String>, String) {
    let app = TestApp::on_sqlite().await;
    let mut ids = Vec::new();
    for n in 0..7 {
        let team = if n % 2 == 0 { "red" } else { "blue" };
        let session = json!({
            "end_user": {"id": format!("u-{n}"), "email": format!("ada{n}@example.com")},
            "tags": {"team": team, "n": n.to_string()},
        });
        ids.push(app.api_key_connection(session, "acme").await);
    }
    let metadata = json!({"connection_id": ids[3], "provider_config_key": "demo-api-key",
                          "metadata": {"seats": 3}});
    let resp = app
        .secret("POST", "/connections/metadata", Some(&metadata))
        .await;
    assert_eq!(resp.status, 201, "{}", resp.json);
    let db = app.sql().await;
    db.exec(
        "INSERT INTO webhook_outbox (url, body, created_at, attempts, next_attempt_at, \
         last_error, failed_at) VALUES ('http://127.0.0.1:9/', '{\"a\":1}', 1, 3, 1, \
         'status 500', 2)",
    )
    .await;
    db.exec(
        "INSERT INTO connection_refresh_failures (connection, failed_at) \
         SELECT id, 5 FROM connections ORDER BY id LIMIT 1",
    )
    .await;
    let token = app.session(json!({"tags": {"team": "red"}})).await;
    (app, ids, token)
}

#[tokio::test]
async fn a_sqlite_deployment_moves_to_postgres_and_back_and_answers_the_same() {
    let (sqlite, ids, token) = populated().await;
    let before = view(&sqlite, &ids, &token).await;
    assert_eq!(
        before["filtered"]["connections"].as_array().unwrap().len(),
        4
    );
    assert_eq!(before["search"]["connections"].as_array().unwrap().len(), 7);

    let pg_url = new_postgres_database().await;
    let copied = copy(&sqlite.db_url, &pg_url, 1000, None).await.unwrap();
    assert_eq!(rows(&copied, "connections"), 7);
    assert_eq!(rows(&copied, "connect_sessions"), 8);
    assert_eq!(rows(&copied, "webhook_outbox"), 1);
    assert_eq!(rows(&copied, "connection_refresh_failures"), 1);
    let dir = tempfile::tempdir().unwrap();
    let on_pg = TestApp::on_database(dir, pg_url.clone()).await;
    assert_eq!(view(&on_pg, &ids, &token).await, before);
    // New rows on the copy take new ids.
    let made = on_pg.tagged_connection(json!({"team": "red"})).await;
    let listed = on_pg
        .secret("GET", "/connections?tags[team]=red", None)
        .await;
    assert_eq!(
        listed.json["connections"][0]["connection_id"],
        made.as_str()
    );

    let back = tempfile::tempdir().unwrap();
    let back_url = sqlite_url(back.path());
    let again = copy(&pg_url, &back_url, 3, None).await.unwrap();
    assert_eq!(rows(&again, "connections"), 8);
    let on_sqlite = TestApp::on_database(back, back_url).await;
    assert_eq!(
        view(&on_sqlite, &ids, &token).await,
        view(&on_pg, &ids, &token).await
    );
    let filtered = on_sqlite
        .secret("GET", "/connections?tags[team]=red", None)
        .await;
    assert_eq!(filtered.json["connections"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn a_copy_stopped_half_way_is_finished_by_running_it_again() {
    let (sqlite, ids, token) = populated().await;
    let before = view(&sqlite, &ids, &token).await;
    let pg_url = new_postgres_database().await;
    // Batches of two: the settings' one, then three of the sessions', and the copy stops.
    assert!(copy(&sqlite.db_url, &pg_url, 2, Some(4)).await.is_err());
    let partial = crate::db::Db::open(&pg_url).await;
    let sessions = partial.int("SELECT count(*) FROM connect_sessions").await;
    assert!((1..8).contains(&sessions), "{sessions} sessions copied");
    assert_eq!(partial.int("SELECT count(*) FROM connections").await, 0);

    let copied = copy(&sqlite.db_url, &pg_url, 2, None).await.unwrap();
    assert_eq!(rows(&copied, "connect_sessions"), 8);
    // A third run finds everything there and changes nothing.
    assert_eq!(
        copy(&sqlite.db_url, &pg_url, 2, None).await.unwrap(),
        copied
    );
    let dir = tempfile::tempdir().unwrap();
    let on_pg = TestApp::on_database(dir, pg_url).await;
    assert_eq!(view(&on_pg, &ids, &token).await, before);
}

#[tokio::test]
async fn a_destination_under_another_key_or_with_other_rows_is_refused() {
    let (sqlite, _, _) = populated().await;
    let pg_url = new_postgres_database().await;
    let source = Store::open(&sqlite.db_url, keys()).await.unwrap();
    let other_key = Store::open(&pg_url, Keyring::from_bytes(&[8; 32]))
        .await
        .unwrap();
    assert!(
        source
            .copy_to(&other_key, 100, &mut |_| ControlFlow::Continue(()))
            .await
            .is_err()
    );
    // The database now holds the other key's check: it opens under that key only.
    assert!(Store::open(&pg_url, keys()).await.is_err());

    let used = tempfile::tempdir().unwrap();
    let used_url = sqlite_url(used.path());
    let app = TestApp::on_database(used, used_url.clone()).await;
    app.tagged_connection(json!({"team": "green"})).await;
    assert!(copy(&sqlite.db_url, &used_url, 100, None).await.is_err());
}

//! The store under faults, in process: a write transaction that the database ends on its own
//! (as SQLite does on a full disk) leaves later writes working; `GET /health` checks that a
//! write commits and that the database files are the ones opened; deleted SQLite files stop
//! writes with a 503 instead of acknowledging writes that a restart would lose; PostgreSQL
//! connections killed under the server are replaced.
//!
//! Faults are injected for real: a trigger that fails the transaction on a marker tag, deleted
//! files, terminated backends. The file tests run on SQLite whatever the suite's backend, the
//! backend test on PostgreSQL.

use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn writes_work_again_after_a_transaction_the_database_ended() {
    let app = TestApp::new().await;
    let id = app.tagged_connection(json!({"team": "red"})).await;
    // Every write of a tag `boom` ends its transaction the way a full disk can: SQLite rolls
    // the whole transaction back by itself, under the feet of the connection that runs it.
    let db = app.sql().await;
    db.fail_writes_tagged("boom", true).await;
    db.close().await;

    // The failing write: an auth whose session tags carry the marker.
    let token = app.session(json!({"tags": {"boom": "1"}})).await;
    let resp = app
        .auth("/auth/unauthenticated/unauthenticated", &token, "", None)
        .await;
    assert_eq!(resp.status, 500, "{}", resp.json);

    // Every kind of write transaction works afterwards, on the same process.
    let patch = app
        .secret(
            "PATCH",
            &format!("/connections/{id}?provider_config_key=unauthenticated"),
            Some(&json!({"tags": {"team": "blue"}})),
        )
        .await;
    assert_eq!(patch.status, 200, "{}", patch.json);
    let metadata = app
        .secret(
            "POST",
            "/connections/metadata",
            Some(
                &json!({"connection_id": id, "provider_config_key": "unauthenticated",
                         "metadata": {"seats": 1}}),
            ),
        )
        .await;
    assert_eq!(metadata.status, 201, "{}", metadata.json);
    let again = app.tagged_connection(json!({"team": "green"})).await;
    assert_eq!(
        app.connection("unauthenticated", &id).await.json["tags"],
        json!({"team": "blue"})
    );
    assert_eq!(
        app.connection("unauthenticated", &again).await.json["tags"],
        json!({"team": "green"})
    );
    // The failed write left nothing behind.
    let list = app.secret("GET", "/connections?tags[boom]=1", None).await;
    assert_eq!(list.json["connections"], json!([]));
}

/// The database file's path.
fn db_path(app: &TestApp) -> std::path::PathBuf {
    std::path::PathBuf::from(app.db_url.strip_prefix("sqlite://").unwrap())
}

#[tokio::test]
async fn health_fails_when_a_write_cannot_commit() {
    let app = TestApp::new().await;
    assert_eq!(app.call("GET", "/health", None, None).await.status, 200);
    let db = app.sql().await;
    db.refuse_setting("health_checked_at", true).await;
    // A passed check stands for a second; the next one must write again.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let resp = app.call("GET", "/health", None, None).await;
    assert_eq!(resp.status, 503, "{}", resp.json);
    assert_eq!(
        resp.json,
        json!({"status": "unavailable"}),
        "no cause in the body"
    );
    db.refuse_setting("health_checked_at", false).await;
    assert_eq!(app.call("GET", "/health", None, None).await.status, 200);
}

#[tokio::test]
async fn deleted_database_files_stop_writes_and_health() {
    let app = TestApp::on_sqlite().await;
    let id = app.tagged_connection(json!({"team": "red"})).await;
    let path = db_path(&app);
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.clone().into_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
    // Every write is refused, never acknowledged into the deleted files.
    let session = app
        .secret("POST", "/connect/sessions", Some(&json!({"tags": {}})))
        .await;
    session.assert(503, "service_unavailable");
    assert!(session.headers.contains_key("retry-after"));
    app.secret(
        "PATCH",
        &format!("/connections/{id}?provider_config_key=unauthenticated"),
        Some(&json!({"tags": {"team": "blue"}})),
    )
    .await
    .assert(503, "service_unavailable");
    let resp = app.call("GET", "/health", None, None).await;
    assert_eq!(
        (resp.status, &resp.json),
        (503, &json!({"status": "unavailable"}))
    );
}

#[tokio::test]
async fn a_replaced_database_file_stops_writes() {
    let app = TestApp::on_sqlite().await;
    app.tagged_connection(json!({"team": "red"})).await;
    let path = db_path(&app);
    // A copy put in its place (a restore gone wrong): another inode at the same path.
    let copy = path.with_extension("copy");
    std::fs::copy(&path, &copy).unwrap();
    std::fs::rename(&copy, &path).unwrap();
    app.secret("POST", "/connect/sessions", Some(&json!({"tags": {}})))
        .await
        .assert(503, "service_unavailable");
    assert_eq!(app.call("GET", "/health", None, None).await.status, 503);
}

#[tokio::test]
async fn a_deleted_wal_file_is_noticed() {
    let app = TestApp::on_sqlite().await;
    app.tagged_connection(json!({"team": "red"})).await;
    let mut wal = db_path(&app).into_os_string();
    wal.push("-wal");
    std::fs::remove_file(&wal).unwrap();
    // The health check looks at what the process holds open, not only at the paths.
    assert_eq!(app.call("GET", "/health", None, None).await.status, 503);
    app.secret("POST", "/connect/sessions", Some(&json!({"tags": {}})))
        .await
        .assert(503, "service_unavailable");
}

#[tokio::test]
async fn postgres_connections_killed_under_the_server_are_replaced() {
    let app = TestApp::on_postgres().await;
    let id = app.tagged_connection(json!({"team": "red"})).await;
    let db = app.sql().await;
    let killed = db
        .int(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await;
    assert!(killed > 0, "the server held connections");
    // Every request after the kill is answered on fresh connections.
    app.secret("POST", "/connect/sessions", Some(&json!({"tags": {}})))
        .await
        .assert(201, "");
    let patch = app
        .secret(
            "PATCH",
            &format!("/connections/{id}?provider_config_key=unauthenticated"),
            Some(&json!({"tags": {"team": "blue"}})),
        )
        .await;
    assert_eq!(patch.status, 200, "{}", patch.json);
    assert_eq!(
        app.connection("unauthenticated", &id).await.json["tags"],
        json!({"team": "blue"})
    );
    assert_eq!(app.call("GET", "/health", None, None).await.status, 200);
}

//! Connect sessions (spec §2): creation, reading, deletion, reconnect sessions, token rules.

use connkit_core::auth::is_valid_connect_session_token;
use serde_json::json;

use crate::db::Db;
use crate::support::{TestApp, cp, is_timestamp};

#[tokio::test]
async fn create_answers_token_link_and_expiry() {
    let app = TestApp::new().await;
    let resp = app
        .secret(
            "POST",
            "/connect/sessions",
            Some(&json!({"end_user": {"id": "u1"}})),
        )
        .await;
    assert_eq!(resp.status, 201, "{}", resp.json);
    let data = &resp.json["data"];
    let token = data["token"].as_str().unwrap();
    assert!(is_valid_connect_session_token(token));
    assert_eq!(
        data["connect_link"].as_str(),
        Some(format!("http://localhost:3009/?session_token={token}").as_str())
    );
    let expires = data["expires_at"].as_str().unwrap();
    assert!(is_timestamp(expires, 3..=3, "Z"), "{expires}");
}

#[tokio::test]
async fn create_rejects_any_query_and_bad_bodies() {
    let app = TestApp::new().await;
    let resp = app
        .secret(
            "POST",
            "/connect/sessions?foo=1",
            Some(&json!({"tags": {}})),
        )
        .await;
    resp.assert(400, "invalid_query_params");
    assert_eq!(resp.errors(), [cp("unrecognized_keys", &[])]);

    let resp = app
        .secret("POST", "/connect/sessions", Some(&json!({})))
        .await;
    resp.assert(400, "invalid_body");
    assert_eq!(resp.errors(), [cp("invalid_type", &["end_user"])]);
    assert_eq!(resp.issues(), [cp("value_required", &["end_user"])]);

    let resp = app
        .secret(
            "POST",
            "/connect/sessions",
            Some(&json!({"tags": {"1a": "x", "b": ""}})),
        )
        .await;
    resp.assert(400, "invalid_body");
    assert_eq!(
        resp.errors(),
        [
            cp("invalid_key", &["tags", "1a"]),
            cp("too_small", &["tags", "b"])
        ]
    );
}

#[tokio::test]
async fn create_checks_integrations_exist_and_docs_overrides() {
    let app = TestApp::new().await;
    let resp = app
        .secret(
            "POST",
            "/connect/sessions",
            Some(
                &json!({"tags": {}, "allowed_integrations": ["demo-basic", "nope"],
                         "integrations_config_defaults": {"ghost": {}}}),
            ),
        )
        .await;
    resp.assert(400, "invalid_body");
    assert_eq!(
        resp.errors(),
        [
            cp("custom", &["allowed_integrations", "1"]),
            cp("custom", &["integrations_config_defaults", "ghost"]),
        ]
    );
    let resp = app
        .secret(
            "POST",
            "/connect/sessions",
            Some(&json!({"tags": {}, "overrides": {"demo-basic": {"docs_connect": "https://docs.example"}}})),
        )
        .await;
    resp.assert(403, "forbidden");
}

#[tokio::test]
async fn merged_tags_overflow_is_a_400_unless_nango_compat_is_asked() {
    // Five generated tags (end_user + organization) and six explicit ones: eleven.
    let body = json!({
        "end_user": {"id": "u", "email": "a@b.co", "display_name": "U"},
        "organization": {"id": "o", "display_name": "O"},
        "tags": {"t1": "1", "t2": "2", "t3": "3", "t4": "4", "t5": "5", "t6": "6"},
    });
    let app = TestApp::new().await;
    let resp = app.secret("POST", "/connect/sessions", Some(&body)).await;
    resp.assert(400, "invalid_body");
    assert_eq!(resp.issues(), [cp("tags_too_many", &["tags"])]);
    assert_eq!(resp.errors(), [cp("tags_too_many", &["tags"])]);

    let app = TestApp::with(|s| s.nango_merged_tags_500 = true).await;
    let resp = app.secret("POST", "/connect/sessions", Some(&body)).await;
    resp.assert(500, "server_error");
}

#[tokio::test]
async fn get_session_shows_what_the_holder_may_read() {
    let app = TestApp::new().await;
    let token = app
        .session(json!({
            "end_user": {"id": "u1", "email": "a@b.co", "tags": {"Team": "x"}},
            "organization": {"id": "o1"},
            "allowed_integrations": ["demo-api-key"],
            "integrations_config_defaults": {"demo-api-key": {
                "user_scopes": "s", "connection_config": {"subdomain": "acme"},
                "authorization_params": {"p": "1"}}},
            "tags": {"plan": "pro"},
            "webhook_url_override": "https://hooks.example/x",
        }))
        .await;
    let resp = app.session_of(&token).await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let data = &resp.json["data"];
    assert_eq!(
        data["endUser"],
        json!({"id": "u1", "display_name": null, "email": "a@b.co", "tags": {"Team": "x"},
               "organization": {"id": "o1", "display_name": null}})
    );
    assert_eq!(data["allowed_integrations"], json!(["demo-api-key"]));
    assert_eq!(
        data["integrations_config_defaults"],
        json!({"demo-api-key": {"connection_config": {"subdomain": "acme"}, "authorization_params": {"p": "1"}}})
    );
    assert_eq!(data["websocketsPath"], "/");
    assert_eq!(data["connectUISettings"]["defaultTheme"], "system");
    let keys: Vec<&str> = data
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for absent in [
        "overrides",
        "isReconnecting",
        "tags",
        "webhook_url_override",
    ] {
        assert!(!keys.contains(&absent), "{absent} in {keys:?}");
    }

    // A tags-only session has no end user.
    let token = app.session(json!({"tags": {"a": "1"}})).await;
    let resp = app.session_of(&token).await;
    assert_eq!(resp.json["data"]["endUser"], json!(null));
    assert!(resp.json["data"].get("allowed_integrations").is_none());
}

#[tokio::test]
async fn session_token_errors() {
    let app = TestApp::new().await;
    let get = |auth: String| {
        let app = &app;
        async move { app.call("GET", "/connect/session", Some(&auth), None).await }
    };
    get(format!("Bearer {}", crate::support::KEY))
        .await
        .assert(401, "invalid_connect_session_token_format");
    get("Bearer nango_connect_session_abc".into())
        .await
        .assert(401, "invalid_connect_session_token_format");
    let unknown = format!("Bearer nango_connect_session_{}", "a".repeat(64));
    get(unknown)
        .await
        .assert(401, "unknown_connect_session_token");
    app.call("GET", "/connect/session", None, None)
        .await
        .assert(401, "missing_auth_header");
    let token = app.session(json!({"tags": {}})).await;
    let resp = app
        .call(
            "GET",
            "/connect/session?x=1",
            Some(&format!("Bearer {token}")),
            None,
        )
        .await;
    resp.assert(400, "invalid_query_params");
}

#[tokio::test]
async fn tokens_are_stored_hashed_and_expire() {
    let app = TestApp::new().await;
    let token = app.session(json!({"tags": {}})).await;
    let db = app.sql().await;
    let hashes = db.bytes("SELECT token_hash FROM connect_sessions").await;
    assert_eq!(hashes.len(), 1);
    // The stored key: the token's 16 ordering digits (its creation time), then a 32-byte HMAC
    // that shares nothing with the token's random part.
    let (digits, hash) = hashes[0].split_at(16);
    let (token_digits, random) = token["nango_connect_session_".len()..].split_at(16);
    assert_eq!(digits, token_digits.as_bytes());
    assert_eq!(hash.len(), 32);
    assert!(
        !hash
            .windows(8)
            .any(|w| random.as_bytes().windows(8).any(|t| t == w))
    );

    let bearer = format!("Bearer {token}");
    assert_eq!(
        app.call("GET", "/connect/session", Some(&bearer), None)
            .await
            .status,
        200
    );
    db.exec("UPDATE connect_sessions SET expires_at = 0").await;
    app.call("GET", "/connect/session", Some(&bearer), None)
        .await
        .assert(401, "unknown_connect_session_token");

    // The next session purges the expired one from the table.
    let count = || db.int("SELECT count(*) FROM connect_sessions");
    assert_eq!(count().await, 1);
    app.session(json!({"tags": {"a": "2"}})).await;
    assert_eq!(count().await, 1, "expired row gone, new row kept");
}

/// Expired sessions stay an hour (an OAuth flow's callback still reads its session by id), then
/// a new session drops them, oldest first.
#[tokio::test]
async fn expired_sessions_are_dropped_after_an_hour_of_grace() {
    let app = TestApp::new().await;
    for n in 0..4 {
        app.session(json!({"tags": {"n": n.to_string()}})).await;
    }
    let db = app.sql().await;
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_micros(),
    )
    .unwrap();
    let ids = || db.ints("SELECT id FROM connect_sessions ORDER BY id");
    let expire = |ids: &[i64], ago: i64| {
        let list = ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "UPDATE connect_sessions SET expires_at = {} WHERE id IN ({list})",
            now - ago
        )
    };
    let first = ids().await;
    assert_eq!(first.len(), 4);
    // One past its grace hour, one expired half an hour ago.
    db.exec(&expire(&first[..1], 7_200_000_000)).await;
    db.exec(&expire(&first[1..2], 1_800_000_000)).await;
    app.session(json!({"tags": {"n": "4"}})).await;
    let second = ids().await;
    assert_eq!(second.len(), 4);
    assert_eq!(second[..3], first[1..]);

    db.exec(&expire(&first[1..3], 7_200_000_000)).await;
    app.session(json!({"tags": {"n": "5"}})).await;
    let third = ids().await;
    assert_eq!(third.len(), 3);
    assert_eq!(third[..2], second[2..]);
}

/// Keys of sessions created one after another ascend (the key index grows at its end), and a
/// session stored under the bare HMAC, without the ordering digits, is still found by its token.
#[tokio::test]
async fn session_keys_ascend_and_bare_hmac_keys_are_found() {
    let app = TestApp::new().await;
    let mut tokens = Vec::new();
    for n in 0..5 {
        tokens.push(app.session(json!({"tags": {"n": n.to_string()}})).await);
    }
    let db = app.sql().await;
    let keys = db
        .bytes("SELECT token_hash FROM connect_sessions ORDER BY id")
        .await;
    assert_eq!(keys.len(), 5);
    assert!(keys.windows(2).all(|pair| pair[0] < pair[1]), "{keys:?}");

    let bare = match db {
        Db::Sqlite(_) => "UPDATE connect_sessions SET token_hash = substr(token_hash, 17)",
        Db::Postgres(_) => "UPDATE connect_sessions SET token_hash = substring(token_hash from 17)",
    };
    db.exec(bare).await;
    assert_eq!(
        db.bytes("SELECT token_hash FROM connect_sessions").await[0].len(),
        32
    );
    for token in &tokens {
        let bearer = format!("Bearer {token}");
        let resp = app
            .call("GET", "/connect/session", Some(&bearer), None)
            .await;
        assert_eq!(resp.status, 200, "{}", resp.json);
    }
}

#[tokio::test]
async fn tokens_are_not_single_use_and_die_on_delete() {
    let app = TestApp::new().await;
    let token = app.session(json!({"tags": {"a": "1"}})).await;
    for _ in 0..2 {
        let resp = app
            .auth("/auth/unauthenticated/unauthenticated", &token, "", None)
            .await;
        assert_eq!(resp.status, 200, "{}", resp.json);
    }
    let bearer = format!("Bearer {token}");
    let resp = app
        .call("DELETE", "/connect/session", Some(&bearer), None)
        .await;
    assert_eq!((resp.status, &resp.json), (204, &serde_json::Value::Null));
    app.call("GET", "/connect/session", Some(&bearer), None)
        .await
        .assert(401, "unknown_connect_session_token");
    app.call("DELETE", "/connect/session", Some(&bearer), None)
        .await
        .assert(401, "unknown_connect_session_token");
    app.auth("/auth/unauthenticated/unauthenticated", &token, "", None)
        .await
        .assert(401, "unknown_connect_session_token");
}

#[tokio::test]
async fn reconnect_sessions_target_an_existing_connection() {
    let app = TestApp::new().await;
    let resp = app
        .secret(
            "POST",
            "/connect/sessions/reconnect",
            Some(&json!({"connection_id": "nope", "integration_id": "demo-api-key"})),
        )
        .await;
    resp.assert(400, "invalid_body");
    assert!(
        resp.json["error"]["message"].is_string() && resp.json["error"].get("errors").is_none()
    );

    let resp = app
        .secret("POST", "/connect/sessions/reconnect", Some(&json!({})))
        .await;
    resp.assert(400, "invalid_body");
    assert_eq!(
        resp.issues(),
        [
            cp("value_required", &["connection_id"]),
            cp("value_required", &["integration_id"])
        ]
    );

    // The connection also holds a value the provider's form does not ask for.
    let defaults = json!({"demo-api-key": {"connection_config": {"token_hint": "s3cret"}}});
    let id = app
        .api_key_connection(
            json!({"end_user": {"id": "u9", "email": "u9@x.io"}, "tags": {"old": "1"},
                   "integrations_config_defaults": defaults}),
            "acme",
        )
        .await;
    let resp = app
        .secret(
            "POST",
            "/connect/sessions/reconnect",
            Some(&json!({"connection_id": id, "integration_id": "demo-api-key", "tags": {"new": "2"}})),
        )
        .await;
    assert_eq!(resp.status, 201, "{}", resp.json);
    let token = resp.json["data"]["token"].as_str().unwrap().to_owned();
    let resp = app.session_of(&token).await;
    let data = &resp.json["data"];
    assert_eq!(data["isReconnecting"], json!(true));
    assert_eq!(data["allowed_integrations"], json!(["demo-api-key"]));
    assert_eq!(data["endUser"]["id"], "u9", "the connection's end user");
    assert_eq!(
        data["reconnect_connection_config"],
        json!({"subdomain": "acme"}),
        "only what the form shows"
    );
    let plain = app.session(json!({"tags": {"a": "1"}})).await;
    let data = &app.session_of(&plain).await.json["data"];
    assert_eq!(
        (
            data.get("isReconnecting"),
            data.get("reconnect_connection_config")
        ),
        (None, None)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions_created_together_are_each_stored_with_their_own_data() {
    // Concurrent creations are committed in batches: each still gets its own row back.
    let app = TestApp::new().await;
    let made = futures_util::future::join_all((0..40).map(|n| {
        let app = &app;
        async move {
            let token = app
                .session(json!({"end_user": {"id": format!("u-{n}")}}))
                .await;
            (n, token)
        }
    }))
    .await;
    for (n, token) in made {
        let read = app.session_of(&token).await;
        assert_eq!(read.status, 200, "{}", read.json);
        assert_eq!(read.json["data"]["endUser"]["id"], format!("u-{n}"));
    }
    assert_eq!(
        app.sql()
            .await
            .int("SELECT count(*) FROM connect_sessions")
            .await,
        40
    );
}

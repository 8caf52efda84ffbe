//! The auth endpoints (spec §3.3, §3.4): API_KEY, BASIC, NONE; session rules; tags, metadata
//! and connection_config on re-auth; auth webhooks (§7) and the opt-in credential test.

use std::time::Duration;

use axum::http::HeaderMap;
use axum::routing::get;
use connkit_core::webhook::verify_hmac;
use serde_json::{Value, json};

use crate::support::{KEY, TestApp, cp, receiver, serve};

#[tokio::test]
async fn api_key_creates_a_connection_with_session_tags_and_params() {
    let app = TestApp::new().await;
    let token = app
        .session(json!({"end_user": {"id": "u1"}, "tags": {"Plan": "pro"}}))
        .await;
    let resp = app
        .auth(
            "/api-auth/api-key/demo-api-key",
            &token,
            "&params[subdomain]=acme&params[webhook_url]=https://x.io&params[a][b]=1",
            Some(&json!({"apiKey": "k1"})),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    assert_eq!(resp.json["providerConfigKey"], "demo-api-key");
    let id = resp.json["connectionId"].as_str().unwrap();
    assert!(connkit_core::auth::is_valid_secret_key(id), "a UUID v4");
    let conn = app.connection("demo-api-key", id).await;
    assert_eq!(conn.status, 200, "{}", conn.json);
    assert_eq!(
        conn.json["credentials"],
        json!({"type": "API_KEY", "apiKey": "k1"})
    );
    assert_eq!(conn.json["connection_config"], json!({"subdomain": "acme"}));
    assert_eq!(
        conn.json["tags"],
        json!({"end_user_id": "u1", "plan": "pro"})
    );
    assert_eq!(conn.json["metadata"], Value::Null);
    assert_eq!(conn.json["end_user"]["id"], "u1");
}

#[tokio::test]
async fn credentials_are_encrypted_at_rest() {
    let app = TestApp::new().await;
    app.api_key_connection(json!({"tags": {}}), "acme").await;
    let stored = app
        .sql()
        .await
        .bytes("SELECT credentials FROM connections")
        .await;
    let sealed = &stored[0];
    assert!(sealed.len() > 24);
    assert!(!sealed.windows(10).any(|w| w == b"k-secret-1"));
}

#[tokio::test]
async fn basic_and_none_store_their_credentials() {
    let app = TestApp::new().await;
    let token = app.session(json!({"tags": {}})).await;
    let resp = app
        .auth(
            "/api-auth/basic/demo-basic",
            &token,
            "&params[subdomain]=d",
            Some(&json!({"username": "u", "password": ""})),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let conn = app
        .connection("demo-basic", resp.json["connectionId"].as_str().unwrap())
        .await;
    assert_eq!(
        conn.json["credentials"],
        json!({"type": "BASIC", "username": "u", "password": ""})
    );

    let resp = app
        .auth("/auth/unauthenticated/unauthenticated", &token, "", None)
        .await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let conn = app
        .connection(
            "unauthenticated",
            resp.json["connectionId"].as_str().unwrap(),
        )
        .await;
    assert_eq!(conn.json["credentials"], json!({}));
    let resp = app
        .auth(
            "/auth/unauthenticated/unauthenticated",
            &token,
            "",
            Some(&json!({})),
        )
        .await;
    assert_eq!(resp.status, 200);
}

#[tokio::test]
async fn bodies_queries_and_paths_are_checked_in_order() {
    let app = TestApp::new().await;
    let token = app.session(json!({"tags": {}})).await;
    let api_key = "/api-auth/api-key/demo-api-key";
    let resp = app.auth(api_key, &token, "", Some(&json!({}))).await;
    resp.assert(400, "invalid_body");
    assert_eq!(resp.errors(), [cp("invalid_type", &["apiKey"])]);
    let resp = app
        .auth(api_key, &token, "", Some(&json!({"apiKey": "", "x": 1})))
        .await;
    assert_eq!(
        resp.errors(),
        [cp("too_small", &["apiKey"]), cp("unrecognized_keys", &[])]
    );
    let resp = app
        .auth(
            api_key,
            &token,
            "",
            Some(&json!({"apiKey": "k".repeat(1025)})),
        )
        .await;
    assert_eq!(resp.errors(), [cp("too_big", &["apiKey"])]);
    let resp = app.auth(api_key, &token, "", None).await;
    assert_eq!(resp.errors(), [cp("invalid_type", &[])]);
    let resp = app
        .auth(
            "/api-auth/basic/demo-basic",
            &token,
            "",
            Some(&json!({"username": 1})),
        )
        .await;
    assert_eq!(
        resp.errors(),
        [
            cp("invalid_type", &["username"]),
            cp("invalid_type", &["password"])
        ]
    );
    let resp = app
        .auth(
            "/auth/unauthenticated/unauthenticated",
            &token,
            "",
            Some(&json!({"a": 1})),
        )
        .await;
    assert_eq!(resp.errors(), [cp("unrecognized_keys", &[])]);

    // Body before query, query before path.
    let resp = app
        .auth(
            "/api-auth/api-key/bad!key",
            &token,
            "&params=x",
            Some(&json!({})),
        )
        .await;
    resp.assert(400, "invalid_body");
    let resp = app
        .auth(
            "/api-auth/api-key/bad!key",
            &token,
            "&params=x",
            Some(&json!({"apiKey": "k"})),
        )
        .await;
    resp.assert(400, "invalid_query_params");
    assert_eq!(resp.errors(), [cp("invalid_type", &["params"])]);
    let resp = app
        .auth(
            "/api-auth/api-key/bad!key",
            &token,
            "",
            Some(&json!({"apiKey": "k"})),
        )
        .await;
    resp.assert(400, "invalid_uri_params");
    assert_eq!(
        resp.issues(),
        [cp("integration_key_invalid", &["providerConfigKey"])]
    );

    let resp = app
        .auth(
            api_key,
            &token,
            "&connection_id=mine",
            Some(&json!({"apiKey": "k"})),
        )
        .await;
    resp.assert(400, "invalid_query_params");
    assert_eq!(resp.errors(), [cp("custom", &["connection_id"])]);
    let resp = app
        .auth(
            api_key,
            &token,
            "&connection_id=bad%23id",
            Some(&json!({"apiKey": "k"})),
        )
        .await;
    assert_eq!(
        resp.issues(),
        [cp("connection_id_invalid", &["connection_id"])]
    );
}

#[tokio::test]
async fn lookups_modes_and_allow_lists() {
    let app = TestApp::new().await;
    let body = json!({"apiKey": "k"});
    let token = app
        .session(json!({"tags": {}, "allowed_integrations": ["demo-basic"]}))
        .await;
    app.auth("/api-auth/api-key/missing", &token, "", Some(&body))
        .await
        .assert(404, "unknown_provider_config");
    app.auth("/api-auth/api-key/demo-basic", &token, "", Some(&body))
        .await
        .assert(400, "invalid_auth_mode");
    app.auth("/api-auth/api-key/demo-api-key", &token, "", Some(&body))
        .await
        .assert(400, "integration_not_allowed");
    let resp = app
        .auth("/api-auth/api-key/demo-basic", &token, "", Some(&body))
        .await;
    assert!(
        resp.json["error"].get("message").is_none(),
        "no message: {}",
        resp.json
    );
}

#[tokio::test]
async fn session_token_in_the_query() {
    let app = TestApp::new().await;
    let body = json!({"apiKey": "k"});
    let path = "/api-auth/api-key/demo-api-key";
    app.call("POST", path, None, Some(&body))
        .await
        .assert(401, "missing_public_key");
    app.call(
        "POST",
        &format!("{path}?public_key={KEY}"),
        None,
        Some(&body),
    )
    .await
    .assert(401, "deprecated_authentication");
    app.call(
        "POST",
        &format!("{path}?connect_session_token=x"),
        None,
        Some(&body),
    )
    .await
    .assert(401, "invalid_connect_session_token_format");
    let unknown = format!("nango_connect_session_{}", "f".repeat(64));
    app.call(
        "POST",
        &format!("{path}?connect_session_token={unknown}"),
        None,
        Some(&body),
    )
    .await
    .assert(401, "unknown_connect_session_token");
    let token = app.session(json!({"tags": {}})).await;
    let resp = app
        .raw(
            "POST",
            &format!("{path}?connect_session_token={token}"),
            &[("content-type", "text/plain")],
            "{}",
        )
        .await;
    resp.assert(415, "invalid_content_type");
}

#[tokio::test]
async fn session_defaults_override_params() {
    let app = TestApp::new().await;
    let token = app
        .session(json!({"tags": {}, "integrations_config_defaults": {
            "demo-api-key": {"connection_config": {"subdomain": "forced", "n": 5}}}}))
        .await;
    let resp = app
        .auth(
            "/api-auth/api-key/demo-api-key",
            &token,
            "&params[subdomain]=typed&params[other]=o",
            Some(&json!({"apiKey": "k"})),
        )
        .await;
    let conn = app
        .connection("demo-api-key", resp.json["connectionId"].as_str().unwrap())
        .await;
    assert_eq!(
        conn.json["connection_config"],
        json!({"subdomain": "forced", "other": "o", "n": 5})
    );
}

#[tokio::test]
async fn reconnect_replaces_tags_credentials_and_resets_metadata() {
    let app = TestApp::new().await;
    let id = app
        .api_key_connection(json!({"tags": {"old": "1"}}), "acme")
        .await;
    let set =
        json!({"connection_id": id, "provider_config_key": "demo-api-key", "metadata": {"m": 1}});
    assert_eq!(
        app.secret("POST", "/connections/metadata", Some(&set))
            .await
            .status,
        201
    );
    let resp = app
        .secret(
            "POST",
            "/connect/sessions/reconnect",
            Some(&json!({"connection_id": id, "integration_id": "demo-api-key", "tags": {}})),
        )
        .await;
    let token = resp.json["data"]["token"].as_str().unwrap().to_owned();
    let resp = app
        .auth(
            "/api-auth/api-key/demo-api-key",
            &token,
            "&params[subdomain]=beta",
            Some(&json!({"apiKey": "k2"})),
        )
        .await;
    assert_eq!(
        (resp.status, resp.json["connectionId"].as_str()),
        (200, Some(id.as_str()))
    );
    let conn = app.connection("demo-api-key", &id).await;
    assert_eq!(conn.json["tags"], json!({}), "replaced, even by {{}}");
    assert_eq!(conn.json["metadata"], json!({}), "reset on API_KEY re-auth");
    assert_eq!(conn.json["credentials"]["apiKey"], "k2");
    assert_eq!(conn.json["connection_config"], json!({"subdomain": "beta"}));
    let list = app.secret("GET", "/connections?tags[old]=1", None).await;
    assert_eq!(list.json["connections"], json!([]), "the tag index follows");

    // The target gone: 400 invalid_connection.
    app.secret(
        "DELETE",
        &format!("/connections/{id}?provider_config_key=demo-api-key"),
        None,
    )
    .await;
    app.auth(
        "/api-auth/api-key/demo-api-key",
        &token,
        "",
        Some(&json!({"apiKey": "k3"})),
    )
    .await
    .assert(400, "invalid_connection");
}

#[tokio::test]
async fn none_reauth_keeps_metadata() {
    let app = TestApp::new().await;
    let id = app.tagged_connection(json!({"a": "1"})).await;
    let set = json!({"connection_id": id, "provider_config_key": "unauthenticated", "metadata": {"m": 1}});
    app.secret("POST", "/connections/metadata", Some(&set))
        .await;
    let resp = app
        .secret(
            "POST",
            "/connect/sessions/reconnect",
            Some(&json!({"connection_id": id, "integration_id": "unauthenticated"})),
        )
        .await;
    let token = resp.json["data"]["token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.auth("/auth/unauthenticated/unauthenticated", &token, "", None)
            .await
            .status,
        200
    );
    let conn = app.connection("unauthenticated", &id).await;
    assert_eq!(conn.json["metadata"], json!({"m": 1}));
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn webhooks_are_signed_retried_and_carry_tags() {
    let hook = receiver(2, false).await;
    let url = hook.url.clone();
    let app = TestApp::with(|s| {
        s.webhook_url = Some(url);
        s.webhook_secret = "whsec".to_owned();
    })
    .await;
    let token = app
        .session(json!({"end_user": {"id": "u1", "email": "u1@x.io"}, "organization": {"id": "o1"}, "tags": {"plan": "pro"}}))
        .await;
    let resp = app
        .auth("/auth/unauthenticated/unauthenticated", &token, "", None)
        .await;
    let id = resp.json["connectionId"].as_str().unwrap().to_owned();
    let mut last = None;
    for _ in 0..3 {
        last = Some(hook.next().await);
    }
    let hit = last.unwrap();
    assert_eq!(
        hook.count.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "two failures, then success"
    );
    assert!(
        verify_hmac(
            "whsec",
            &hit.body,
            header(&hit.headers, "x-nango-hmac-sha256")
        )
        .is_ok()
    );
    assert!(header(&hit.headers, "x-nango-signature").is_some());
    assert!(verify_hmac(KEY, &hit.body, header(&hit.headers, "x-nango-hmac-sha256")).is_err());
    let body: Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(body["type"], "auth");
    assert_eq!(body["operation"], "creation");
    assert_eq!(body["success"], json!(true));
    assert_eq!(body["connectionId"], id.as_str());
    assert_eq!(body["providerConfigKey"], "unauthenticated");
    assert_eq!(body["authMode"], "NONE");
    assert_eq!(body["environment"], "dev");
    assert_eq!(body["tags"]["plan"], "pro");
    assert_eq!(body["endUser"]["endUserId"], "u1");
    assert_eq!(body["endUser"]["organizationId"], "o1");
    assert!(
        hook.silent_for(Duration::from_millis(300)).await,
        "no delivery after a success"
    );
}

#[tokio::test]
async fn webhooks_never_block_the_auth_answer_and_follow_the_override() {
    let stuck = receiver(0, true).await;
    let other = receiver(0, false).await;
    let url = stuck.url.clone();
    let app = TestApp::with(|s| s.webhook_url = Some(url)).await;
    let token = app.session(json!({"tags": {}})).await;
    let started = std::time::Instant::now();
    let resp = app
        .auth("/auth/unauthenticated/unauthenticated", &token, "", None)
        .await;
    assert_eq!(resp.status, 200);
    stuck.next().await;
    assert!(started.elapsed() < Duration::from_secs(5));

    let token = app
        .session(json!({"tags": {}, "webhook_url_override": other.url}))
        .await;
    let resp = app
        .auth("/auth/unauthenticated/unauthenticated", &token, "", None)
        .await;
    let hit = other.next().await;
    let body: Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(body["connectionId"], resp.json["connectionId"]);
    let conn = app
        .connection(
            "unauthenticated",
            resp.json["connectionId"].as_str().unwrap(),
        )
        .await;
    assert_eq!(
        conn.json["webhook_url_override"].as_str(),
        Some(other.url.as_str())
    );
}

const VERIFY_PROVIDERS: &str = "local-basic:
    display_name: Local
    auth_mode: BASIC
    proxy:
        base_url: http://${connectionConfig.host}
        verification:
            endpoints:
                - /nope
                - /me
local-key:
    display_name: Local key
    auth_mode: API_KEY
    proxy:
        base_url: http://${connectionConfig.host}
        headers:
            authorization: Bearer ${apiKey}
            x-api-version: ${connectionConfig.version} || 2022-11-28
            x-unresolved: ${connectionConfig.nothing}
        query:
            account: ${connectionConfig.account}
        verification:
            endpoints:
                - /key
";
const VERIFY_INTEGRATIONS: &str = "[[integration]]\nunique_key = \"local\"\nprovider = \"local-basic\"\n\
     [[integration]]\nunique_key = \"local-key\"\nprovider = \"local-key\"\n";

#[tokio::test]
async fn credential_test_is_opt_in() {
    let provider = serve(
        axum::Router::new()
            .route(
                "/key",
                get(
                    |headers: HeaderMap, query: axum::extract::RawQuery| async move {
                        let ok = header(&headers, "authorization") == Some("Bearer k-good")
                            && header(&headers, "x-api-version") == Some("2022-11-28")
                            && header(&headers, "x-unresolved").is_none()
                            && query.0.as_deref() == Some("account=acme");
                        if ok {
                            axum::http::StatusCode::OK
                        } else {
                            axum::http::StatusCode::UNAUTHORIZED
                        }
                    },
                ),
            )
            .route(
                "/me",
                get(|headers: HeaderMap| async move {
                    // "u:p" in base64.
                    if header(&headers, "authorization") == Some("Basic dTpw") {
                        axum::http::StatusCode::OK
                    } else {
                        axum::http::StatusCode::UNAUTHORIZED
                    }
                }),
            ),
    )
    .await;
    let host = provider.trim_start_matches("http://").to_owned();
    let params = format!("&params[host]={host}");
    let app = TestApp::build(VERIFY_PROVIDERS, VERIFY_INTEGRATIONS, |s| {
        s.verify_credentials = true
    })
    .await;
    let token = app.session(json!({"tags": {}})).await;
    let good = json!({"username": "u", "password": "p"});
    let bad = json!({"username": "u", "password": "wrong"});
    assert_eq!(
        app.auth("/api-auth/basic/local", &token, &params, Some(&good))
            .await
            .status,
        200
    );
    app.auth("/api-auth/basic/local", &token, &params, Some(&bad))
        .await
        .assert(400, "connection_test_failed");
    app.auth("/api-auth/basic/local", &token, "", Some(&good))
        .await
        .assert(400, "connection_test_failed");
    let list = app.secret("GET", "/connections", None).await;
    assert_eq!(
        list.json["connections"].as_array().unwrap().len(),
        1,
        "failed tests store nothing"
    );

    let app = TestApp::build(VERIFY_PROVIDERS, VERIFY_INTEGRATIONS, |_| {}).await;
    let token = app.session(json!({"tags": {}})).await;
    assert_eq!(
        app.auth("/api-auth/basic/local", &token, &params, Some(&bad))
            .await
            .status,
        200
    );

    // API_KEY: the key reaches the provider through proxy.headers / proxy.query templates,
    // interpolated by core; a header whose placeholder does not resolve is left out.
    let app = TestApp::build(VERIFY_PROVIDERS, VERIFY_INTEGRATIONS, |s| {
        s.verify_credentials = true
    })
    .await;
    let token = app.session(json!({"tags": {}})).await;
    let key_params = format!("{params}&params[account]=acme");
    let good = json!({"apiKey": "k-good"});
    let resp = app
        .auth(
            "/api-auth/api-key/local-key",
            &token,
            &key_params,
            Some(&good),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    app.auth(
        "/api-auth/api-key/local-key",
        &token,
        &key_params,
        Some(&json!({"apiKey": "k-bad"})),
    )
    .await
    .assert(400, "connection_test_failed");
    app.auth("/api-auth/api-key/local-key", &token, &params, Some(&good))
        .await
        .assert(400, "connection_test_failed");
}

#[tokio::test]
async fn the_credential_test_goes_nowhere_a_field_rule_refuses() {
    // demo-api-key's base URL is https://${connectionConfig.subdomain}.example.com/api and its
    // subdomain field's pattern is ^[a-z0-9_-]+$: a value ending the host early is refused
    // before any request.
    let app = TestApp::with(|s| s.verify_credentials = true).await;
    let token = app.session(json!({"tags": {}})).await;
    for subdomain in ["127.0.0.1:9%2Fx%23", "evil.example%2F"] {
        let resp = app
            .auth(
                "/api-auth/api-key/demo-api-key",
                &token,
                &format!("&params[subdomain]={subdomain}"),
                Some(&json!({"apiKey": "dk_live_0123456789abcdef"})),
            )
            .await;
        resp.assert(400, "invalid_query_params");
        assert_eq!(
            resp.issues(),
            [cp(
                "field_pattern_mismatch",
                &["connection_config", "subdomain"]
            )],
            "{subdomain}"
        );
    }
}

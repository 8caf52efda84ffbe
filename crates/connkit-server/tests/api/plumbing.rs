//! What every route shares: secret-key authentication (spec §9), JSON bodies (415, 413,
//! `invalid_json`), CORS (§8), unknown routes, the health check.

use serde_json::json;

use crate::support::{KEY, TestApp, cp};

#[tokio::test]
async fn health_answers_ok() {
    let app = TestApp::new().await;
    let resp = app.call("GET", "/health", None, None).await;
    assert_eq!(
        (resp.status, resp.json["status"].as_str()),
        (200, Some("ok"))
    );
}

#[tokio::test]
async fn secret_key_header_follows_nangos_parsing() {
    let app = TestApp::new().await;
    let get = |auth: Option<String>| {
        let app = &app;
        async move { app.call("GET", "/connections", auth.as_deref(), None).await }
    };
    get(None).await.assert(401, "missing_auth_header");
    get(Some(String::new()))
        .await
        .assert(401, "missing_auth_header");
    get(Some("Bearer ".into()))
        .await
        .assert(401, "malformed_auth_header");
    get(Some(format!("bearer {KEY}")))
        .await
        .assert(401, "invalid_secret_key_format");
    get(Some("Bearer not-a-uuid".into()))
        .await
        .assert(401, "invalid_secret_key_format");
    // A UUID v1 is not a v4.
    get(Some("Bearer 0c8f5a3e-1b2d-1c5e-9f60-7a8b9c0d1e2f".into()))
        .await
        .assert(401, "invalid_secret_key_format");
    get(Some("Bearer 11111111-2222-4333-8444-555555555555".into()))
        .await
        .assert(401, "unknown_account");
    assert_eq!(get(Some(format!("Bearer {KEY}"))).await.status, 200);
    // A bare key works, and so does "… Bearer <key>" (the last piece counts).
    assert_eq!(get(Some(KEY.to_owned())).await.status, 200);
    assert_eq!(
        get(Some(format!("Bearer x Bearer {KEY}"))).await.status,
        200
    );
    let resp = get(Some("Bearer ".into())).await;
    assert_eq!(resp.json["error"]["payload"], json!({}), "NangoError shape");
}

#[tokio::test]
async fn session_tokens_do_not_open_secret_key_routes() {
    let app = TestApp::new().await;
    let token = app.session(json!({"tags": {"a": "1"}})).await;
    for (method, uri) in [
        ("GET", "/connections"),
        ("POST", "/connect/sessions"),
        ("POST", "/connections/metadata"),
    ] {
        app.call(method, uri, Some(&format!("Bearer {token}")), None)
            .await
            .assert(401, "invalid_secret_key_format");
    }
}

#[tokio::test]
async fn bodies_are_read_like_express() {
    let app = TestApp::with(|s| s.body_limit = 1024).await;
    let auth = format!("Bearer {KEY}");
    let post = |headers: Vec<(&'static str, String)>, body: String| {
        let app = &app;
        let auth = auth.clone();
        async move {
            let mut all: Vec<(&str, &str)> = vec![("authorization", auth.as_str())];
            all.extend(headers.iter().map(|(k, v)| (*k, v.as_str())));
            app.raw("POST", "/connect/sessions", &all, body).await
        }
    };
    let json_ct = || vec![("content-type", "application/json".to_owned())];
    post(vec![("content-type", "text/plain".into())], "{}".into())
        .await
        .assert(415, "invalid_content_type");
    post(
        vec![("content-type", "application/x-www-form-urlencoded".into())],
        "a=1".into(),
    )
    .await
    .assert(415, "invalid_content_type");
    post(json_ct(), "{".into())
        .await
        .assert(400, "invalid_json");
    post(json_ct(), "\"just a string\"".into())
        .await
        .assert(400, "invalid_json");
    post(json_ct(), "   ".into())
        .await
        .assert(400, "invalid_json");
    let big = format!("{{\"tags\":{{\"a\":\"{}\"}}}}", "x".repeat(2000));
    post(json_ct(), big).await.assert(413, "payload_too_large");
    // `application/json; charset=utf-8` is JSON; an empty JSON body is `{}`.
    let resp = post(
        vec![("content-type", "Application/JSON; charset=utf-8".into())],
        String::new(),
    )
    .await;
    resp.assert(400, "invalid_body");
    assert_eq!(resp.errors(), [cp("invalid_type", &["end_user"])]);
    // Without a content type the body is not read at all (Express leaves it undefined).
    let resp = post(vec![], "{\"tags\":{}}".into()).await;
    resp.assert(400, "invalid_body");
    assert_eq!(resp.errors(), [cp("invalid_type", &[])]);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let app = TestApp::new().await;
    app.secret("GET", "/nope", None)
        .await
        .assert(404, "not_found");
    app.secret("PUT", "/connect/sessions", None)
        .await
        .assert(405, "method_not_allowed");
}

#[tokio::test]
async fn cors_is_nangos() {
    let app = TestApp::new().await;
    let resp = app
        .raw(
            "OPTIONS",
            "/connect/sessions",
            &[
                ("origin", "https://app.example"),
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "authorization,content-type,nango-is-sync",
                ),
            ],
            "",
        )
        .await;
    assert_eq!(resp.status, 200);
    let header = |name: &str| {
        resp.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(header("access-control-allow-origin"), "*");
    assert_eq!(header("access-control-max-age"), "600");
    let allowed = header("access-control-allow-headers");
    for name in [
        "authorization",
        "content-type",
        "nango-is-sync",
        "provider-config-key",
    ] {
        assert!(allowed.contains(name), "{allowed}");
    }
    let resp = app.call("GET", "/health", None, None).await;
    assert_eq!(resp.status, 200);
    let resp = app
        .raw(
            "GET",
            "/connections",
            &[
                ("origin", "https://app.example"),
                ("authorization", &format!("Bearer {KEY}")),
            ],
            "",
        )
        .await;
    let exposed = resp
        .headers
        .get("access-control-expose-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(exposed.contains("x-nango-signature"), "{exposed}");
}

#[tokio::test]
async fn get_requests_tolerate_a_json_content_type() {
    // @nangohq/node sends `Content-Type: application/json` on GET and DELETE.
    let app = TestApp::new().await;
    let resp = app
        .raw(
            "GET",
            "/connections",
            &[
                ("authorization", &format!("Bearer {KEY}")),
                ("content-type", "application/json"),
            ],
            "",
        )
        .await;
    assert_eq!(resp.status, 200);
}

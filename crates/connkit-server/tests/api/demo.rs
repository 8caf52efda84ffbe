//! The browser demo's backend (`--demo`): sessions and proxied calls under `/demo/api/` with the
//! secret key injected, the webhook inbox (fed over real loopback HTTP by the server's own
//! webhook sender), the default webhook URL, and `--static-dir`.

use std::path::Path;
use std::time::{Duration, Instant};

use connkit_core::webhook::sign;
use serde_json::{Value, json};

use crate::support::{KEY, Resp, TestApp, connection_ids, cp};

async fn demo_app() -> TestApp {
    TestApp::with(|s| s.demo = true).await
}

/// `GET /demo/api/webhooks` until it holds `count` webhooks (10 s at most).
async fn inbox_with(app: &TestApp, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let resp = app.call("GET", "/demo/api/webhooks", None, None).await;
        assert_eq!(resp.status, 200, "{}", resp.json);
        let list = resp.json["webhooks"].as_array().unwrap().clone();
        if list.len() >= count {
            return list;
        }
        assert!(
            Instant::now() < deadline,
            "{} webhook(s) in the inbox after 10 s, expected {count}",
            list.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// POSTs raw bytes to the inbox with an optional `X-Nango-Hmac-Sha256`.
async fn post_webhook(app: &TestApp, body: &str, signature: Option<&str>) -> Resp {
    let mut headers = vec![("content-type", "application/json")];
    if let Some(signature) = signature {
        headers.push(("x-nango-hmac-sha256", signature));
    }
    app.raw("POST", "/demo/api/webhooks", &headers, body.to_owned())
        .await
}

#[tokio::test]
async fn demo_routes_exist_only_with_the_flag() {
    let app = TestApp::new().await;
    for (method, uri) in [
        ("POST", "/demo/api/sessions"),
        ("GET", "/demo/api/connections"),
        ("GET", "/demo/api/integrations"),
        ("POST", "/demo/api/connections/metadata"),
        ("GET", "/demo/api/webhooks"),
        ("POST", "/demo/api/webhooks"),
    ] {
        app.call(method, uri, None, Some(&json!({})))
            .await
            .assert(404, "not_found");
    }
}

#[tokio::test]
async fn demo_session_carries_the_tags_and_its_token_works() {
    let app = demo_app().await;
    let body = json!({"end_user": {"id": "u1", "email": "u1@x.io"}, "organization": {"id": "o1"},
                      "tags": {"Plan": "pro"}, "allowed_integrations": ["unauthenticated"]});
    // No Authorization from the caller; a wrong one is replaced, not used.
    for auth in [None, Some("Bearer not-the-key")] {
        let resp = app
            .call("POST", "/demo/api/sessions", auth, Some(&body))
            .await;
        assert_eq!(resp.status, 201, "{}", resp.json);
        let data = &resp.json["data"];
        assert!(data["expires_at"].is_string() && data["connect_link"].is_string());
        let token = data["token"].as_str().unwrap();
        let session = app.session_of(token).await;
        assert_eq!(session.status, 200, "{}", session.json);
        assert_eq!(session.json["data"]["endUser"]["id"], "u1");
        assert_eq!(
            session.json["data"]["allowed_integrations"],
            json!(["unauthenticated"])
        );
        let made = app
            .auth("/auth/unauthenticated/unauthenticated", token, "", None)
            .await;
        assert_eq!(made.status, 200, "{}", made.json);
        let id = made.json["connectionId"].as_str().unwrap();
        let tags = &app.connection("unauthenticated", id).await.json["tags"];
        assert_eq!(
            tags,
            &json!({"end_user_id": "u1", "end_user_email": "u1@x.io",
                    "organization_id": "o1", "plan": "pro"})
        );
    }
}

#[tokio::test]
async fn demo_session_refuses_what_the_endpoint_refuses() {
    let app = demo_app().await;
    let bad = json!({"tags": {"1a": "x", "b": "", "ok": 5}});
    let demo = app
        .call("POST", "/demo/api/sessions", None, Some(&bad))
        .await;
    let real = app.secret("POST", "/connect/sessions", Some(&bad)).await;
    demo.assert(400, "invalid_body");
    assert_eq!(demo.json, real.json, "the endpoint's answer, unchanged");
    assert!(
        demo.errors().contains(&cp("invalid_key", &["tags", "1a"])),
        "{}",
        demo.json
    );
    let issues = demo.issues();
    assert!(issues.contains(&cp("tag_key_invalid", &["tags", "1a"])));
    assert!(issues.contains(&cp("tag_value_empty", &["tags", "b"])));
    // Bodies are read by the endpoint: bad JSON, wrong content type, a query string.
    let resp = app
        .raw(
            "POST",
            "/demo/api/sessions",
            &[("content-type", "application/json")],
            "{nope",
        )
        .await;
    resp.assert(400, "invalid_json");
    let resp = app
        .raw(
            "POST",
            "/demo/api/sessions",
            &[("content-type", "text/plain")],
            "{}",
        )
        .await;
    resp.assert(415, "invalid_content_type");
    app.call("POST", "/demo/api/sessions?x=1", None, Some(&json!({})))
        .await
        .assert(400, "invalid_query_params");
}

#[tokio::test]
async fn proxies_add_the_key_and_reach_only_their_routes() {
    let app = demo_app().await;
    let red = app.tagged_connection(json!({"team": "red"})).await;
    let blue = app.tagged_connection(json!({"team": "blue"})).await;
    for uri in [
        "/connections",
        "/connections?tags[team]=red",
        "/integrations",
        &format!("/connections/{red}?provider_config_key=unauthenticated"),
    ] {
        let proxied = app
            .call("GET", &format!("/demo/api{uri}"), None, None)
            .await;
        let direct = app.secret("GET", uri, None).await;
        assert_eq!(proxied.status, 200, "{uri}: {}", proxied.json);
        // GET of one connection stamps `last_fetched_at`; the rest must match.
        let (mut proxied, mut direct) = (proxied.json, direct.json);
        for json in [&mut proxied, &mut direct] {
            if let Some(fields) = json.as_object_mut() {
                fields.remove("last_fetched_at");
            }
        }
        assert_eq!(proxied, direct, "{uri}");
    }
    let filtered = app
        .call("GET", "/demo/api/connections?tags[team]=blue", None, None)
        .await;
    assert_eq!(connection_ids(&filtered), [blue.as_str()]);
    // Errors come back as the API writes them.
    app.call(
        "GET",
        "/demo/api/connections/ghost?provider_config_key=unauthenticated",
        None,
        None,
    )
    .await
    .assert(404, "not_found");
    app.call("GET", "/demo/api/connections?tags[1x]=a", None, None)
        .await
        .assert(400, "invalid_query_params");
    // Nothing else is proxied.
    for (method, uri) in [
        ("GET", "/demo/api/connect/session"),
        ("DELETE", "/demo/api/connect/session"),
        ("POST", "/demo/api/connect/sessions"),
        ("POST", "/demo/api/connect/sessions/reconnect"),
        ("GET", "/demo/api/providers"),
        ("GET", "/demo/api/providers/unauthenticated"),
        ("GET", "/demo/api/health"),
        ("POST", "/demo/api/auth/unauthenticated/unauthenticated"),
        ("GET", &format!("/demo/api/connections/{red}/x")),
        ("GET", "/demo/api/../connections"),
        ("GET", "/demo/api"),
    ] {
        app.call(method, uri, None, None)
            .await
            .assert(404, "not_found");
    }
    for (method, uri) in [
        ("POST", "/demo/api/connections"),
        ("DELETE", "/demo/api/integrations"),
        ("PUT", "/demo/api/sessions"),
    ] {
        app.call(method, uri, None, None)
            .await
            .assert(405, "method_not_allowed");
    }
    assert_eq!(
        connection_ids(&app.secret("GET", "/connections", None).await).len(),
        2,
        "nothing was deleted"
    );
}

#[tokio::test]
async fn demo_flow_from_session_to_webhook_list_tags_and_metadata() {
    // `--demo` without `--webhook-url`: the server delivers to its own inbox over loopback.
    let (app, _) = TestApp::served(&["--demo"]).await;
    let session = app
        .call(
            "POST",
            "/demo/api/sessions",
            None,
            Some(
                &json!({"end_user": {"id": "u1"}, "organization": {"id": "o1"},
                         "tags": {"plan": "pro"}}),
            ),
        )
        .await;
    assert_eq!(session.status, 201, "{}", session.json);
    let token = session.json["data"]["token"].as_str().unwrap();
    let made = app
        .auth("/auth/unauthenticated/unauthenticated", token, "", None)
        .await;
    assert_eq!(made.status, 200, "{}", made.json);
    let id = made.json["connectionId"].as_str().unwrap().to_owned();

    let inbox = inbox_with(&app, 1).await;
    let hook = &inbox[0];
    assert_eq!(hook["verified"], json!(true), "{hook}");
    assert!(
        hook["received_at"].as_str().unwrap().ends_with('Z'),
        "{hook}"
    );
    assert_eq!(hook["body"]["type"], "auth");
    assert_eq!(hook["body"]["operation"], "creation");
    assert_eq!(hook["body"]["connectionId"], id.as_str());
    assert_eq!(
        hook["body"]["tags"],
        json!({"end_user_id": "u1", "organization_id": "o1", "plan": "pro"})
    );

    let list = |query: &'static str| {
        let app = &app;
        async move {
            let resp = app
                .call("GET", &format!("/demo/api/connections{query}"), None, None)
                .await;
            assert_eq!(resp.status, 200, "{}", resp.json);
            connection_ids(&resp)
        }
    };
    assert_eq!(
        list("?tags[end_user_id]=u1&tags[plan]=pro").await,
        [id.as_str()]
    );
    assert!(list("?tags[end_user_id]=u2").await.is_empty());

    let one = format!("/demo/api/connections/{id}?provider_config_key=unauthenticated");
    let mut tags = app.call("GET", &one, None, None).await.json["tags"].clone();
    tags["plan"] = json!("team");
    let patched = app
        .call("PATCH", &one, None, Some(&json!({"tags": tags})))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.json);
    assert_eq!(
        list("?tags[plan]=team&tags[end_user_id]=u1").await,
        [id.as_str()]
    );
    assert!(list("?tags[plan]=pro").await.is_empty());

    let target = json!({"connection_id": id, "provider_config_key": "unauthenticated"});
    let mut set = target.clone();
    set["metadata"] = json!({"seats": 3, "region": "eu"});
    let resp = app
        .call("POST", "/demo/api/connections/metadata", None, Some(&set))
        .await;
    assert_eq!(resp.status, 201, "{}", resp.json);
    let mut update = target.clone();
    update["metadata"] = json!({"seats": 5});
    let resp = app
        .call(
            "PATCH",
            "/demo/api/connections/metadata",
            None,
            Some(&update),
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    assert_eq!(
        app.call("GET", &one, None, None).await.json["metadata"],
        json!({"seats": 5, "region": "eu"})
    );

    let gone = app.call("DELETE", &one, None, None).await;
    assert!(gone.status < 300, "{}", gone.json);
    assert!(list("").await.is_empty());
}

#[tokio::test]
async fn demo_mode_sends_webhooks_to_its_inbox_unless_told_otherwise() {
    use clap::Parser;
    use connkit_server::config::Config;
    let addr: std::net::SocketAddr = "127.0.0.1:4321".parse().unwrap();
    let url = |flags: &[&str]| {
        let args = std::iter::once("connkit-server").chain(flags.iter().copied());
        let config = Config::try_parse_from(args).unwrap();
        config.settings(KEY.to_owned(), addr).unwrap().webhook_url
    };
    assert_eq!(
        url(&["--demo"]).as_deref(),
        Some("http://127.0.0.1:4321/demo/api/webhooks")
    );
    assert_eq!(
        url(&["--demo", "--public-url", "https://demo.example/"]).as_deref(),
        Some("https://demo.example/demo/api/webhooks")
    );
    assert_eq!(
        url(&["--demo", "--webhook-url", "https://hooks.example/in"]).as_deref(),
        Some("https://hooks.example/in")
    );
    assert_eq!(url(&[]), None);

    // connect_link points at the served widget page when there is one.
    let dir = tempfile::tempdir().unwrap();
    let static_dir = dir.path().to_str().unwrap();
    let connect = |flags: &[&str]| {
        let args = std::iter::once("connkit-server").chain(flags.iter().copied());
        let config = Config::try_parse_from(args).unwrap();
        config.settings(KEY.to_owned(), addr).unwrap().connect_url
    };
    assert_eq!(
        connect(&["--static-dir", static_dir]),
        "http://127.0.0.1:4321/connect/"
    );
    assert_eq!(connect(&[]), "http://localhost:3009/");
    assert_eq!(
        connect(&[
            "--static-dir",
            static_dir,
            "--connect-url",
            "https://c.example/"
        ]),
        "https://c.example/"
    );
}

#[tokio::test]
async fn inbox_verifies_signatures_and_keeps_the_newest_hundred() {
    let app = demo_app().await;
    let body = r#"{"type":"auth","n":1}"#;
    let good = sign(KEY, body.as_bytes()).hmac_sha256;
    let forged = sign("another-secret", body.as_bytes()).hmac_sha256;
    for (signature, verified) in [
        (Some(good.as_str()), true),
        (Some(good.to_uppercase().as_str()), true),
        (Some(forged.as_str()), false),
        (Some("zz"), false),
        (None, false),
    ] {
        let resp = post_webhook(&app, body, signature).await;
        assert_eq!((resp.status, &resp.json), (200, &json!({"ok": true})));
        let inbox = inbox_with(&app, 1).await;
        assert_eq!(inbox[0]["verified"], json!(verified), "{signature:?}");
        assert_eq!(inbox[0]["body"], json!({"type": "auth", "n": 1}));
    }
    // The signature covers the exact bytes: the same JSON spaced differently fails.
    post_webhook(&app, r#"{"type": "auth", "n": 1}"#, Some(&good)).await;
    assert_eq!(inbox_with(&app, 6).await[0]["verified"], json!(false));

    for bad in ["{nope", ""] {
        post_webhook(&app, bad, Some(&good))
            .await
            .assert(400, "invalid_json");
    }
    assert_eq!(inbox_with(&app, 6).await.len(), 6, "bad JSON is not stored");

    for n in 0..105 {
        post_webhook(&app, &json!({"n": n}).to_string(), None).await;
    }
    let inbox = inbox_with(&app, 100).await;
    let order: Vec<i64> = inbox
        .iter()
        .map(|w| w["body"]["n"].as_i64().unwrap())
        .collect();
    assert_eq!(order, (5..105).rev().collect::<Vec<_>>());
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[tokio::test]
async fn static_dir_serves_the_demo_behind_the_api() {
    let root = tempfile::tempdir().unwrap();
    let www = root.path().join("www");
    write(&www.join("index.html"), "<p>demo page</p>");
    write(&www.join("connect/index.html"), "<p>connect page</p>");
    write(&www.join("assets/app.js"), "console.log(1)");
    // Files named like API routes never shadow them.
    write(&www.join("health"), "file");
    write(&www.join("connections"), "file");
    write(&root.path().join("secret.txt"), "outside");
    let dir = www.clone();
    let app = TestApp::with(move |s| s.static_dir = Some(dir)).await;

    let page = |uri: &'static str| {
        let app = &app;
        async move { app.call("GET", uri, None, None).await }
    };
    let resp = page("/").await;
    assert_eq!(
        (resp.status, resp.json.as_str()),
        (200, Some("<p>demo page</p>"))
    );
    assert!(
        resp.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let resp = page("/connect/").await;
    assert_eq!(
        (resp.status, resp.json.as_str()),
        (200, Some("<p>connect page</p>"))
    );
    assert_eq!(page("/assets/app.js").await.status, 200);
    assert_eq!(app.call("HEAD", "/", None, None).await.status, 200);

    assert_eq!(page("/health").await.json["status"], "ok");
    page("/connections")
        .await
        .assert(401, "missing_auth_header");
    page("/missing.js").await.assert(404, "not_found");
    page("/connect/missing/").await.assert(404, "not_found");
    page("/../secret.txt").await.assert(404, "not_found");
    app.call("POST", "/index.html", None, None)
        .await
        .assert(404, "not_found");
    // A static directory does not bring the demo routes.
    page("/demo/api/webhooks").await.assert(404, "not_found");
}

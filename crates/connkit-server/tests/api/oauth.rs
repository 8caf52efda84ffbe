//! The OAuth 2 authorization-code flow against the local provider (spec §3.3, §3.5): the
//! WebSocket, the redirects, the consent form and the callback page, as a browser walks them;
//! then what was stored and the webhook. Failures before and after the redirect.

use connkit_core::oauth2::code_challenge;
use connkit_core::webhook::verify_hmac;
use serde_json::{Value, json};

use crate::oauth_support::{
    OAuthEnv, Socket, browser, closes, consent, error_type, location, next_message, query_param,
    read_page, session_body,
};
use crate::support::{KEY, TestApp};

/// The tenant most flows here authorize at.
const ACME: &str = "&params[subdomain]=acme";

/// Opens a WebSocket and starts a flow for `key` with the session `token` on it: `extra` (query
/// parameters, each starting with `&`) and the socket's `ws_client_id`. Returns the socket, its
/// client id and the answer to `/oauth/connect`.
async fn connect_on_socket(
    env: &OAuthEnv,
    key: &str,
    token: &str,
    extra: &str,
) -> (Socket, String, reqwest::Response) {
    let (socket, ws) = env.socket().await;
    let answer = env
        .connect(key, token, &format!("{extra}&ws_client_id={ws}"))
        .await;
    (socket, ws, answer)
}

#[tokio::test]
async fn a_subdomain_reaches_both_urls_and_the_connection_keeps_tags_and_config() {
    let env = OAuthEnv::new().await;
    let token = env.app.session(session_body()).await;
    let extra = "&params[subdomain]=acme&params[webhook_url]=https://x.example";
    let (mut socket, ws, answer) = connect_on_socket(&env, "demo-oauth2", &token, extra).await;
    assert_eq!(answer.status(), 302);
    let authorize = location(&answer);
    let provider_origin = authorize.split("/demo/provider").next().unwrap().to_owned();
    assert!(
        provider_origin.starts_with("http://acme.localhost:"),
        "{authorize}"
    );
    assert_eq!(
        query_param(&authorize, "response_type").as_deref(),
        Some("code")
    );
    assert_eq!(
        query_param(&authorize, "client_id").as_deref(),
        Some("demo-client-id")
    );
    assert_eq!(
        query_param(&authorize, "redirect_uri"),
        Some(format!("{}/oauth/callback", env.base))
    );
    assert_eq!(
        query_param(&authorize, "scope").as_deref(),
        Some("read write")
    );
    assert_eq!(
        query_param(&authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let challenge = query_param(&authorize, "code_challenge").unwrap();
    assert_eq!(challenge.len(), 43, "base64url of a SHA-256, no padding");
    assert_eq!(query_param(&authorize, "state").map(|s| s.len()), Some(64));

    let callback = env.consent(&authorize, "approve").await;
    assert!(
        callback.starts_with(&format!("{}/oauth/callback?code=", env.base)),
        "{callback}"
    );
    let (status, outcome) = read_page(env.get(&callback).await).await;
    let message = next_message(&mut socket).await;
    let connection_id = message["connection_id"].as_str().unwrap().to_owned();
    assert_eq!(
        message,
        json!({"message_type": "success", "provider_config_key": "demo-oauth2",
               "connection_id": connection_id, "is_pending": false})
    );
    // The page tells the same flow (spec §12.27).
    assert_eq!(
        (status, &outcome),
        (
            200,
            &json!({"error": null, "success": {"providerConfigKey": "demo-oauth2",
                    "connectionId": connection_id, "wsClientId": ws}})
        )
    );
    assert!(
        closes(&mut socket).await,
        "one message, then the socket closes"
    );
    // The provider checked the verifier against the challenge, at the tenant's token URL.
    assert_eq!(env.provider.code_exchanges(), 1);

    let resp = env.app.connection("demo-oauth2", &connection_id).await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let credentials = &resp.json["credentials"];
    assert_eq!(credentials["type"], "OAUTH2");
    assert!(
        credentials["access_token"]
            .as_str()
            .unwrap()
            .starts_with("demo-at-")
    );
    assert!(
        credentials.get("refresh_token").is_none(),
        "stripped unless asked for"
    );
    assert_eq!(credentials["raw"]["expires_in"], 3600);
    assert!(credentials["expires_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        resp.json["connection_config"],
        json!({"subdomain": "acme", "region": "eu"}),
        "session defaults over params; webhook_url dropped"
    );
    assert_eq!(resp.json["tags"]["plan"], "pro");
    assert_eq!(resp.json["tags"]["end_user_id"], "u-1");
    let with_refresh = env
        .app
        .secret(
            "GET",
            &format!(
                "/connections/{connection_id}?provider_config_key=demo-oauth2&refresh_token=true"
            ),
            None,
        )
        .await;
    assert!(
        with_refresh.json["credentials"]["refresh_token"]
            .as_str()
            .unwrap()
            .starts_with("demo-rt-")
    );

    let hit = env.hooks.next().await;
    let signature = hit
        .headers
        .get("x-nango-hmac-sha256")
        .and_then(|v| v.to_str().ok());
    assert!(
        verify_hmac(KEY, &hit.body, signature).is_ok(),
        "a verified webhook"
    );
    let body: Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(
        (
            &body["operation"],
            &body["success"],
            &body["authMode"],
            &body["connectionId"]
        ),
        (
            &json!("creation"),
            &json!(true),
            &json!("OAUTH2"),
            &json!(connection_id)
        )
    );
    assert_eq!(body["tags"]["plan"], "pro");
    assert_eq!(body["endUser"]["endUserId"], "u-1");
}

#[tokio::test]
async fn a_reconnect_session_reauthorises_the_same_connection() {
    let env = OAuthEnv::new().await;
    let (message, status) = env.connect_flow(session_body(), "acme").await;
    assert_eq!(status, 200);
    let connection_id = message["connection_id"].as_str().unwrap().to_owned();
    let _ = env.hooks.next().await;
    let reconnect = env
        .app
        .secret(
            "POST",
            "/connect/sessions/reconnect",
            Some(&json!({"connection_id": connection_id, "integration_id": "demo-oauth2", "tags": {"plan": "team"}})),
        )
        .await;
    assert_eq!(reconnect.status, 201, "{}", reconnect.json);
    let token = reconnect.json["data"]["token"].as_str().unwrap().to_owned();
    let beta = "&params[subdomain]=beta";
    let (mut socket, _, answer) = connect_on_socket(&env, "demo-oauth2", &token, beta).await;
    let callback = env.consent(&location(&answer), "approve").await;
    assert_eq!(read_page(env.get(&callback).await).await.0, 200);
    let message = next_message(&mut socket).await;
    assert_eq!(message["connection_id"], json!(connection_id));
    let resp = env.app.connection("demo-oauth2", &connection_id).await;
    assert_eq!(resp.json["connection_config"]["subdomain"], "beta");
    assert_eq!(
        resp.json["tags"],
        json!({"plan": "team"}),
        "the session's tags replace them"
    );
    let body: Value = serde_json::from_slice(&env.hooks.next().await.body).unwrap();
    assert_eq!(body["operation"], "override");
}

#[tokio::test]
async fn a_forged_or_replayed_state_makes_no_token_request() {
    let env = OAuthEnv::new().await;
    let forged = format!("{}/oauth/callback?code=abc&state=0123", env.base);
    let (status, outcome) = read_page(env.get(&forged).await).await;
    assert_eq!((status, error_type(&outcome)), (400, "state_err"));
    let (status, outcome) = read_page(
        env.get(&format!("{}/oauth/callback?code=abc", env.base))
            .await,
    )
    .await;
    assert_eq!((status, error_type(&outcome)), (400, "state_err"));
    assert_eq!(env.provider.code_exchanges(), 0);

    let token = env.app.session(session_body()).await;
    let answer = env.connect("demo-oauth2", &token, ACME).await;
    let callback = env.consent(&location(&answer), "approve").await;
    assert_eq!(read_page(env.get(&callback).await).await.0, 200);
    let (status, outcome) = read_page(env.get(&callback).await).await;
    assert_eq!(
        (status, error_type(&outcome)),
        (400, "state_err"),
        "a state works once"
    );
    assert_eq!(
        env.provider.code_exchanges(),
        1,
        "the replay asked the provider nothing"
    );
}

#[tokio::test]
async fn a_wrong_verifier_is_refused_by_the_provider_and_stores_nothing() {
    let env = OAuthEnv::new().await;
    let token = env.app.session(session_body()).await;
    let (mut socket, _, answer) = connect_on_socket(&env, "demo-oauth2", &token, ACME).await;
    let authorize = location(&answer);
    let challenge = query_param(&authorize, "code_challenge").unwrap();
    // The provider binds the code to another verifier's challenge.
    let tampered = authorize.replace(&challenge, &code_challenge("another-verifier"));
    let callback = env.consent(&tampered, "approve").await;
    let (status, outcome) = read_page(env.get(&callback).await).await;
    assert_eq!((status, error_type(&outcome)), (400, "unknown_err"));
    let message = next_message(&mut socket).await;
    assert_eq!(
        (
            &message["message_type"],
            &message["error_type"],
            &message["provider_config_key"]
        ),
        (
            &json!("error"),
            &json!("unknown_err"),
            &json!("demo-oauth2")
        )
    );
    assert_eq!(env.provider.code_exchanges(), 1);
    let list = env.app.secret("GET", "/connections", None).await;
    assert_eq!(list.json["connections"], json!([]));
    let body: Value = serde_json::from_slice(&env.hooks.next().await.body).unwrap();
    assert_eq!(
        (&body["success"], &body["operation"], &body["error"]["type"]),
        (&json!(false), &json!("creation"), &json!("unknown"))
    );
}

#[tokio::test]
async fn the_provider_deny_and_a_failing_token_endpoint_reach_socket_and_page() {
    let env = OAuthEnv::new().await;
    let token = env.app.session(session_body()).await;
    let (mut socket, _, answer) = connect_on_socket(&env, "demo-oauth2", &token, ACME).await;
    let callback = env.consent(&location(&answer), "deny").await;
    assert_eq!(
        query_param(&callback, "error").as_deref(),
        Some("access_denied")
    );
    let (status, outcome) = read_page(env.get(&callback).await).await;
    assert_eq!((status, error_type(&outcome)), (400, "callback_err"));
    // The page shows the provider's own error parameters, as JSON (Nango's html.ts).
    let shown: Value = serde_json::from_str(outcome["error"]["message"].as_str().unwrap()).unwrap();
    assert_eq!(shown["error"], "access_denied");
    assert_eq!(
        next_message(&mut socket).await["error_type"],
        "callback_err"
    );
    assert_eq!(env.provider.code_exchanges(), 0);
    let body: Value = serde_json::from_slice(&env.hooks.next().await.body).unwrap();
    assert_eq!(body["error"]["type"], "invalid_callback");

    env.provider.fail_token_requests(true);
    let (mut socket, _, answer) = connect_on_socket(&env, "demo-oauth2", &token, ACME).await;
    let callback = env.consent(&location(&answer), "approve").await;
    let (status, outcome) = read_page(env.get(&callback).await).await;
    assert_eq!((status, error_type(&outcome)), (400, "unknown_err"));
    assert_eq!(next_message(&mut socket).await["error_type"], "unknown_err");
    let list = env.app.secret("GET", "/connections", None).await;
    assert_eq!(list.json["connections"], json!([]));
}

#[tokio::test]
async fn a_missing_or_refused_subdomain_is_reported_before_any_redirect() {
    let env = OAuthEnv::new().await;
    let token = env.app.session(json!({"tags": {}})).await;
    for extra in [
        "",
        "&params[subdomain]=",
        "&params[subdomain]=evil.example%2Fx",
    ] {
        let (mut socket, _, answer) = connect_on_socket(&env, "demo-oauth2", &token, extra).await;
        let (status, outcome) = read_page(answer).await;
        assert_eq!(
            (status, error_type(&outcome)),
            (400, "url_param_err"),
            "{extra}"
        );
        let message = next_message(&mut socket).await;
        assert_eq!(message["error_type"], "url_param_err", "{extra}");
        assert!(message["connection_id"].is_string(), "{message}");
    }
    assert_eq!(env.provider.code_exchanges(), 0);
}

#[tokio::test]
async fn failures_nango_answers_with_json_reach_the_socket_too() {
    let env = OAuthEnv::new().await;
    // An unknown or malformed session token: 401, with Nango's code as the error type.
    let bad = format!("nango_connect_session_{}", "0".repeat(64));
    let (mut socket, _, answer) = connect_on_socket(&env, "demo-oauth2", &bad, "").await;
    let (status, outcome) = read_page(answer).await;
    assert_eq!(
        (status, error_type(&outcome)),
        (401, "unknown_connect_session_token")
    );
    assert_eq!(
        next_message(&mut socket).await["error_type"],
        "unknown_connect_session_token"
    );

    // An expired session token.
    let token = env.app.session(session_body()).await;
    env.app
        .sql()
        .await
        .exec("UPDATE connect_sessions SET expires_at = 0")
        .await;
    let answer = env.connect("demo-oauth2", &token, ACME).await;
    assert_eq!(read_page(answer).await.0, 401);

    let token = env
        .app
        .session(json!({"tags": {}, "allowed_integrations": ["demo-basic"]}))
        .await;
    let cases = [
        ("demo-oauth2", "", "integration_not_allowed"),
        ("nope", "", "provider_config_err"),
        ("demo-basic", "&connection_id=c-1", "invalid_query_params"),
        ("demo-oauth2", "&params=x", "invalid_query_params"),
    ];
    for (key, extra, want) in cases {
        let (mut socket, _, answer) = connect_on_socket(&env, key, &token, extra).await;
        let (status, outcome) = read_page(answer).await;
        assert_eq!((status, error_type(&outcome)), (400, want), "{key}");
        assert_eq!(next_message(&mut socket).await["error_type"], want, "{key}");
    }
    // Nango checks the client id and secret before the auth mode.
    let token = env.app.session(json!({"tags": {}})).await;
    let answer = env.connect("demo-basic", &token, "").await;
    assert_eq!(
        error_type(&read_page(answer).await.1),
        "provider_config_err"
    );
}

#[tokio::test]
async fn an_expired_flow_is_a_state_error_on_its_socket() {
    let env = OAuthEnv::new().await;
    let token = env.app.session(session_body()).await;
    let (mut socket, _, answer) = connect_on_socket(&env, "demo-oauth2", &token, ACME).await;
    let callback = env.consent(&location(&answer), "approve").await;
    env.app
        .sql()
        .await
        .exec("UPDATE oauth_flows SET expires_at = 0")
        .await;
    let (status, outcome) = read_page(env.get(&callback).await).await;
    assert_eq!((status, error_type(&outcome)), (400, "state_err"));
    assert_eq!(next_message(&mut socket).await["error_type"], "state_err");
    assert_eq!(env.provider.code_exchanges(), 0);
}

#[tokio::test]
async fn a_plain_get_of_the_root_is_no_websocket() {
    let env = OAuthEnv::new().await;
    let answer = env.get(&format!("{}/", env.base)).await;
    assert_eq!(answer.status(), 404, "the usual unknown route");
}

#[tokio::test]
async fn demo_mode_serves_the_local_provider_on_its_own_port() {
    let (app, base) = TestApp::served(&["--demo"]).await;
    let browser = browser();
    let token = app.session(session_body()).await;
    let connect = format!(
        "{base}/oauth/connect/demo-oauth2?connect_session_token={token}&params[subdomain]=gamma"
    );
    let answer = browser.get(&connect).send().await.unwrap();
    assert_eq!(answer.status(), 302);
    let authorize = location(&answer);
    let port = base.rsplit(':').next().unwrap();
    assert!(
        authorize.starts_with(&format!(
            "http://gamma.localhost:{port}/demo/provider/authorize?"
        )),
        "{authorize}"
    );
    let callback = consent(&browser, &authorize, "approve").await;
    let page = browser.get(&callback).send().await.unwrap();
    let (status, outcome) = read_page(page).await;
    assert_eq!((status, &outcome["error"]), (200, &Value::Null));
    assert_eq!(outcome["success"]["providerConfigKey"], "demo-oauth2");
    // The webhook reaches the demo inbox, verified.
    for _ in 0..100 {
        let inbox = app.call("GET", "/demo/api/webhooks", None, None).await;
        if let Some(first) = inbox.json["webhooks"].get(0) {
            assert_eq!(first["verified"], true);
            assert_eq!(first["body"]["authMode"], "OAUTH2");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no webhook reached the demo inbox");
}

#[tokio::test]
async fn a_coop_workspace_cuts_its_consent_page_off_from_its_opener() {
    let env = OAuthEnv::new().await;
    let token = env.app.session(json!({"tags": {}})).await;
    for (subdomain, coop) in [("acme", None), ("coop-acme", Some("same-origin"))] {
        let extra = format!("&params[subdomain]={subdomain}");
        let answer = env.connect("demo-oauth2", &token, &extra).await;
        let page = env.get(&location(&answer)).await;
        assert_eq!(page.status(), 200);
        let header = page
            .headers()
            .get("cross-origin-opener-policy")
            .and_then(|v| v.to_str().ok());
        assert_eq!(header, coop, "{subdomain}");
    }
}

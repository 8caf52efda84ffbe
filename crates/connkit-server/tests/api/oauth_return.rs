//! The OAuth flow's redirect mode (spec §12.27): a page that cannot open a popup goes through
//! the provider itself and comes back to a `return_url` the operator allows, with the id of a
//! result its session reads once. Refused return URLs are never redirected to; failures before
//! and after the provider return too; the flag and demo mode's default.

use connkit_core::js::encode_uri_component;
use serde_json::{Value, json};

use crate::oauth_support::{
    OAuthEnv, error_type, location, next_message, query_param, read_page, session_body,
};
use crate::support::KEY;

/// The origin tests allow.
const APP: &str = "https://app.example";

async fn env() -> OAuthEnv {
    OAuthEnv::with(|s| s.oauth_return_origins = vec![APP.to_owned()]).await
}

/// `&return_url=<url, encoded>`.
fn return_url(url: &str) -> String {
    format!("&return_url={}", encode_uri_component(url))
}

/// The result id a 303 back to the app carries, after checking where it goes.
fn result_id(answer: &reqwest::Response, page: &str) -> String {
    assert_eq!(answer.status(), 303);
    assert_eq!(
        answer.headers()["referrer-policy"],
        "no-referrer",
        "the callback's code stays out of the app's referrer"
    );
    let back = location(answer);
    assert!(back.starts_with(page), "{back}");
    query_param(&back, "connkit_oauth_result").expect("a result id")
}

/// `GET /oauth/result/<id>` with `token` as Bearer.
async fn read(env: &OAuthEnv, id: &str, token: &str) -> (u16, Value) {
    let resp = env
        .app
        .call(
            "GET",
            &format!("/oauth/result/{id}"),
            Some(&format!("Bearer {token}")),
            None,
        )
        .await;
    (resp.status, resp.json)
}

#[tokio::test]
async fn the_page_comes_back_with_a_result_its_session_reads_once() {
    let env = env().await;
    let token = env.app.session(session_body()).await;
    let other = env.app.session(json!({"tags": {}})).await;
    let page = "https://app.example/settings?tab=2#integrations";
    let extra = format!("&params[subdomain]=acme{}", return_url(page));
    let answer = env.connect("demo-oauth2", &token, &extra).await;
    assert_eq!(answer.status(), 302);
    let callback = env.consent(&location(&answer), "approve").await;
    let answer = env.get(&callback).await;
    let id = result_id(
        &answer,
        "https://app.example/settings?tab=2&connkit_oauth_result=",
    );
    assert!(
        location(&answer).ends_with("#integrations"),
        "fragment kept"
    );

    // Another session cannot read it (nor burn it); no token is a 401.
    assert_eq!(read(&env, &id, &other).await.0, 404);
    let anonymous = env
        .app
        .call("GET", &format!("/oauth/result/{id}"), None, None)
        .await;
    assert_eq!(anonymous.status, 401);
    let (status, message) = read(&env, &id, &token).await;
    assert_eq!(status, 200, "{message}");
    let connection_id = message["connection_id"].as_str().unwrap().to_owned();
    assert_eq!(
        message,
        json!({"message_type": "success", "provider_config_key": "demo-oauth2",
               "connection_id": connection_id, "is_pending": false})
    );
    let (status, again) = read(&env, &id, &token).await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (404, Some("unknown_oauth_result")),
        "single use"
    );

    let stored = env.app.connection("demo-oauth2", &connection_id).await;
    assert_eq!(stored.status, 200, "{}", stored.json);
    assert_eq!(stored.json["tags"]["plan"], "pro");
    assert_eq!(stored.json["connection_config"]["subdomain"], "acme");
    assert_eq!(env.provider.code_exchanges(), 1);
}

#[tokio::test]
async fn a_return_url_the_server_does_not_allow_is_never_followed() {
    let env = env().await;
    let token = env.app.session(json!({"tags": {}})).await;
    for url in [
        "https://evil.example/",
        "https://app.example.evil.example/",
        "https://app.example@evil.example/",
        "http://app.example/",
        "javascript:alert(1)//https://app.example/",
        "/relative",
    ] {
        let (mut socket, ws) = env.socket().await;
        let extra = format!(
            "&params[subdomain]=acme&ws_client_id={ws}{}",
            return_url(url)
        );
        let answer = env.connect("demo-oauth2", &token, &extra).await;
        assert!(answer.headers().get("location").is_none(), "{url}");
        let (status, outcome) = read_page(answer).await;
        assert_eq!(
            (status, error_type(&outcome)),
            (400, "return_url_err"),
            "{url}"
        );
        assert_eq!(
            next_message(&mut socket).await["error_type"],
            "return_url_err"
        );
    }
    // Without the flag, no origin is allowed.
    let closed = OAuthEnv::new().await;
    let token = closed.app.session(json!({"tags": {}})).await;
    let extra = format!(
        "&params[subdomain]=acme{}",
        return_url("https://app.example/")
    );
    let (status, outcome) = read_page(closed.connect("demo-oauth2", &token, &extra).await).await;
    assert_eq!((status, error_type(&outcome)), (400, "return_url_err"));
}

#[tokio::test]
async fn failures_return_to_the_page_too() {
    let env = env().await;
    let token = env.app.session(json!({"tags": {}})).await;
    let page = "https://app.example/";

    // Before the provider: a missing subdomain.
    let answer = env.connect("demo-oauth2", &token, &return_url(page)).await;
    let id = result_id(&answer, "https://app.example/?connkit_oauth_result=");
    let (status, message) = read(&env, &id, &token).await;
    assert_eq!(
        (
            status,
            message["message_type"].as_str(),
            message["error_type"].as_str()
        ),
        (200, Some("error"), Some("url_param_err"))
    );

    // At the provider: the user denies.
    let extra = format!("&params[subdomain]=beta{}", return_url(page));
    let answer = env.connect("demo-oauth2", &token, &extra).await;
    let callback = env.consent(&location(&answer), "deny").await;
    let id = result_id(&env.get(&callback).await, page);
    let (_, message) = read(&env, &id, &token).await;
    assert_eq!(message["error_type"], "callback_err");
    assert_eq!(message["provider_config_key"], "demo-oauth2");

    // An unknown session token: back with a result no session can read; the page's own read
    // answers the token's failure.
    let bad = format!("nango_connect_session_{}", "0".repeat(64));
    let extra = format!("&params[subdomain]=acme{}", return_url(page));
    let answer = env.connect("demo-oauth2", &bad, &extra).await;
    let id = result_id(&answer, page);
    assert_eq!(read(&env, &id, &bad).await.0, 401);
    assert_eq!(read(&env, &id, &token).await.0, 404);
    assert_eq!(env.provider.code_exchanges(), 0);
}

#[tokio::test]
async fn allowed_origins_come_from_the_flag_and_demo_mode() {
    use clap::Parser;
    use connkit_server::config::Config;
    let addr: std::net::SocketAddr = "127.0.0.1:4321".parse().unwrap();
    let origins = |flags: &[&str]| {
        let args = std::iter::once("connkit-server").chain(flags.iter().copied());
        let config = Config::try_parse_from(args).unwrap();
        config
            .settings(KEY.to_owned(), addr)
            .map(|s| s.oauth_return_origins)
    };
    assert_eq!(origins(&[]), Ok(vec![]));
    assert_eq!(
        origins(&[
            "--oauth-return-origin",
            "HTTPS://App.Example:443/",
            "--oauth-return-origin",
            "http://localhost:8080",
        ]),
        Ok(vec![
            "https://app.example".to_owned(),
            "http://localhost:8080".to_owned()
        ])
    );
    assert_eq!(
        origins(&["--demo"]),
        Ok(vec!["http://127.0.0.1:4321".to_owned()])
    );
    assert_eq!(
        origins(&["--demo", "--public-url", "https://demo.example/base/"]),
        Ok(vec!["https://demo.example".to_owned()])
    );
    for bad in [
        "https://app.example/path",
        "app.example",
        "ftp://app.example",
    ] {
        assert!(
            origins(&["--oauth-return-origin", bad]).is_err(),
            "{bad} is no origin"
        );
    }
}

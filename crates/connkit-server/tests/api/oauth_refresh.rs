//! Refreshing OAuth credentials on GET /connections/:id (spec §6.3): on expiry (inside the
//! 15-minute margin), forced, one provider call for concurrent reads, and Nango's answers when
//! the provider refuses.

use std::time::Duration;

use serde_json::{Value, json};

use crate::oauth_support::{OAuthEnv, session_body};
use crate::support::Resp;

/// A connection made through the local provider; its id.
async fn connected(env: &OAuthEnv) -> String {
    let (message, status) = env.connect_flow(session_body(), "acme").await;
    assert_eq!(status, 200, "{message}");
    let _ = env.hooks.next().await;
    message["connection_id"].as_str().unwrap().to_owned()
}

async fn read(env: &OAuthEnv, id: &str, flags: &str) -> Resp {
    env.app
        .secret(
            "GET",
            &format!("/connections/{id}?provider_config_key=demo-oauth2{flags}"),
            None,
        )
        .await
}

fn access_token(resp: &Resp) -> String {
    resp.json["credentials"]["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", resp.json))
        .to_owned()
}

#[tokio::test]
async fn a_token_inside_the_margin_is_refreshed_and_a_fresh_one_is_not() {
    let env = OAuthEnv::new().await;
    // Ten minutes: inside Nango's 15-minute margin from the start.
    env.provider.set_expires_in(600);
    let id = connected(&env).await;
    let first = access_token(&read(&env, &id, "&refresh_token=true").await);
    assert_eq!(env.provider.refreshes(), 1, "the first read refreshed");
    env.provider.set_expires_in(3600);
    let resp = read(&env, &id, "&refresh_token=true").await;
    assert_eq!(resp.status, 200);
    let second = access_token(&resp);
    assert_eq!(env.provider.refreshes(), 2);
    assert_ne!(first, second);
    assert_eq!(resp.json["credentials"]["raw"]["expires_in"], 3600);
    let again = read(&env, &id, "").await;
    assert_eq!(access_token(&again), second, "fresh now");
    assert_eq!(env.provider.refreshes(), 2);
    assert!(again.json["credentials"].get("refresh_token").is_none());
}

#[tokio::test]
async fn force_refresh_refreshes_a_fresh_token() {
    let env = OAuthEnv::new().await;
    let id = connected(&env).await;
    let before = access_token(&read(&env, &id, "").await);
    assert_eq!(env.provider.refreshes(), 0);
    let after = access_token(&read(&env, &id, "&force_refresh=true").await);
    assert_eq!(env.provider.refreshes(), 1);
    assert_ne!(before, after);
}

#[tokio::test]
async fn concurrent_reads_of_an_expired_token_make_one_provider_call() {
    let env = OAuthEnv::new().await;
    env.provider.set_expires_in(60);
    let id = connected(&env).await;
    env.provider.set_expires_in(3600);
    env.provider.set_delay(Duration::from_millis(300));
    let reads = (0..8).map(|i| {
        let flags = if i % 2 == 0 {
            ""
        } else {
            "&force_refresh=true"
        };
        read(&env, &id, flags)
    });
    let answers = futures_util::future::join_all(reads).await;
    assert!(
        answers.iter().all(|r| r.status == 200),
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let tokens: Vec<String> = answers.iter().map(access_token).collect();
    assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");
    assert_eq!(
        env.provider.refreshes(),
        1,
        "one provider call for eight reads"
    );
}

#[tokio::test]
async fn a_failed_refresh_answers_nangos_error_and_backs_off() {
    let env = OAuthEnv::new().await;
    env.provider.set_expires_in(60);
    let id = connected(&env).await;
    env.provider.fail_refreshes(true);
    let resp = read(&env, &id, "").await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "invalid_credentials"),
        "{}",
        resp.json
    );
    let connection = &resp.json["error"]["payload"]["connection"];
    assert_eq!(connection["connection_id"], json!(id));
    assert_eq!(connection["credentials"], json!({}));
    assert_eq!(env.provider.refreshes(), 1);
    let body: Value = serde_json::from_slice(&env.hooks.next().await.body).unwrap();
    assert_eq!(
        (&body["operation"], &body["success"], &body["error"]["type"]),
        (
            &json!("refresh"),
            &json!(false),
            &json!("refresh_token_external_error")
        )
    );
    // Within the back-off, a plain read does not try again; a forced one does.
    let resp = read(&env, &id, "").await;
    assert_eq!((resp.status, resp.code()), (424, "invalid_credentials"));
    assert_eq!(env.provider.refreshes(), 1);
    let resp = read(&env, &id, "&force_refresh=true").await;
    assert_eq!(resp.status, 400);
    assert_eq!(env.provider.refreshes(), 2);
    env.provider.fail_refreshes(false);
    let resp = read(&env, &id, "&force_refresh=true").await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let resp = read(&env, &id, "").await;
    assert_eq!(resp.status, 200, "a success ends the back-off");
}

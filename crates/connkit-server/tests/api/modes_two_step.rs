//! TWO_STEP through `POST /auth/two-step/:key` (spec §3.3, §3.9) against the local provider's
//! session endpoint: a connection whose token sits where the provider's `token_response` says,
//! with the posted values kept; a refusal that creates nothing; the token obtained again with
//! the stored values when a read finds it expired or is forced, and a failed renewal.

use serde_json::{Value, json};

use crate::oauth_support::OAuthEnv;
use crate::support::cp;
use crate::two_step_support::{create, read, token};

const KEY: &str = "demo-two-step";

fn login(password: &str) -> Value {
    json!({"type": "TWO_STEP", "username": "demo-client-id", "password": password})
}

/// A connection for tenant `acme`; its id (the creation webhook consumed).
async fn connected(env: &OAuthEnv) -> String {
    let resp = create(
        env,
        KEY,
        "&params[subdomain]=acme",
        &login("demo-client-secret"),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let _ = env.hooks.next().await;
    resp.json["connectionId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_posted_values_obtain_a_session_token_the_connection_keeps() {
    let env = OAuthEnv::new().await;
    let resp = create(
        &env,
        KEY,
        "&params[subdomain]=acme",
        &login("demo-client-secret"),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let id = resp.json["connectionId"].as_str().unwrap().to_owned();
    assert_eq!(env.provider.sessions(), 1);
    let hook: Value = serde_json::from_slice(&env.hooks.next().await.body).unwrap();
    assert_eq!(
        (&hook["operation"], &hook["authMode"]),
        (&json!("creation"), &json!("TWO_STEP")),
        "{hook}"
    );
    let conn = read(&env, KEY, &id, "").await;
    assert_eq!(conn.status, 200, "{}", conn.json);
    let credentials = &conn.json["credentials"];
    assert_eq!(credentials["type"], "TWO_STEP");
    assert!(token(&conn).starts_with("demo-st-"));
    assert_eq!(credentials["raw"]["session"]["token"], credentials["token"]);
    assert_eq!(credentials["username"], "demo-client-id");
    assert_eq!(credentials["password"], "demo-client-secret");
    assert!(
        credentials["expires_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(conn.json["connection_config"], json!({"subdomain": "acme"}));
    assert_eq!(conn.json["tags"]["team"], "ops");
}

#[tokio::test]
async fn a_refused_login_creates_nothing() {
    let env = OAuthEnv::new().await;
    let resp = create(&env, KEY, "&params[subdomain]=acme", &login("wrong")).await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "two_step_credentials_fetch_error"),
        "{}",
        resp.json
    );
    assert_eq!(resp.issues(), [cp("auth_provider_refused", &[])]);
    assert_eq!(env.provider.sessions(), 1);
    let list = env.app.secret("GET", "/connections", None).await;
    assert_eq!(list.json["connections"], json!([]), "{}", list.json);
    // A body that is no object, and a connection_config value its field refuses, ask nothing.
    let resp = create(&env, KEY, "&params[subdomain]=acme", &json!(["x"])).await;
    assert_eq!((resp.status, resp.code()), (400, "invalid_body"));
    let resp = create(
        &env,
        KEY,
        "&params[subdomain]=a.b",
        &login("demo-client-secret"),
    )
    .await;
    assert_eq!(
        resp.issues(),
        [cp(
            "field_pattern_mismatch",
            &["connection_config", "subdomain"]
        )]
    );
    assert_eq!(env.provider.sessions(), 1);
}

#[tokio::test]
async fn an_expiring_token_is_obtained_again_with_the_stored_values() {
    let env = OAuthEnv::new().await;
    env.provider.set_expires_in(600);
    let id = connected(&env).await;
    let first = read(&env, KEY, &id, "").await;
    assert_eq!(first.status, 200, "{}", first.json);
    assert_eq!(env.provider.sessions(), 2, "the read renewed the token");
    env.provider.set_expires_in(3600);
    let second = read(&env, KEY, &id, "").await;
    assert_eq!(env.provider.sessions(), 3);
    assert_ne!(token(&first), token(&second));
    assert_eq!(second.json["credentials"]["username"], "demo-client-id");
    let third = read(&env, KEY, &id, "").await;
    assert_eq!(token(&third), token(&second), "fresh now");
    let forced = read(&env, KEY, &id, "&force_refresh=true").await;
    assert_eq!(env.provider.sessions(), 4);
    assert_ne!(token(&forced), token(&third));
}

#[tokio::test]
async fn a_failed_renewal_answers_nangos_error() {
    let env = OAuthEnv::new().await;
    env.provider.set_expires_in(60);
    let id = connected(&env).await;
    env.provider.fail_token_requests(true);
    let resp = read(&env, KEY, &id, "").await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "invalid_credentials"),
        "{}",
        resp.json
    );
    let hook: Value = serde_json::from_slice(&env.hooks.next().await.body).unwrap();
    assert_eq!(
        (&hook["operation"], &hook["success"]),
        (&json!("refresh"), &json!(false))
    );
    let resp = read(&env, KEY, &id, "").await;
    assert_eq!((resp.status, resp.code()), (424, "invalid_credentials"));
    assert_eq!(env.provider.sessions(), 2);
}

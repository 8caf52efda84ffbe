//! OAUTH2_CC through `POST /oauth2/auth/:key` (spec §3.3, §3.9) against the local provider's
//! client-credentials grant: a connection with the token, the session's tags and a webhook; a
//! provider's refusal that creates nothing; Nango's first checks of the body; the token
//! obtained again when a read finds it expired or is forced, and a failed renewal.

use serde_json::{Value, json};

use crate::oauth_support::OAuthEnv;
use crate::support::{Resp, cp};

const KEY: &str = "demo-oauth2-cc";

fn client() -> Value {
    json!({"client_id": "demo-client-id", "client_secret": "demo-client-secret"})
}

async fn create(env: &OAuthEnv, params: &str, body: &Value) -> Resp {
    let token = env
        .app
        .session(json!({"end_user": {"id": "u-1"}, "tags": {"plan": "pro"}}))
        .await;
    env.app
        .auth(&format!("/oauth2/auth/{KEY}"), &token, params, Some(body))
        .await
}

async fn read(env: &OAuthEnv, id: &str, flags: &str) -> Resp {
    let uri = format!("/connections/{id}?provider_config_key={KEY}{flags}");
    env.app.secret("GET", &uri, None).await
}

fn token(resp: &Resp) -> String {
    resp.json["credentials"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{}", resp.json))
        .to_owned()
}

/// A connection for tenant `acme`; its id (the creation webhook consumed).
async fn connected(env: &OAuthEnv) -> String {
    let resp = create(env, "&params[subdomain]=acme", &client()).await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let _ = env.hooks.next().await;
    resp.json["connectionId"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_client_obtains_a_token_and_the_connection_keeps_it() {
    let env = OAuthEnv::new().await;
    let resp = create(&env, "&params[subdomain]=acme", &client()).await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    assert_eq!(resp.json["providerConfigKey"], KEY);
    let id = resp.json["connectionId"].as_str().unwrap().to_owned();
    assert_eq!(env.provider.client_grants(), 1);
    let hook: Value = serde_json::from_slice(&env.hooks.next().await.body).unwrap();
    assert_eq!(
        (&hook["operation"], &hook["authMode"], &hook["success"]),
        (&json!("creation"), &json!("OAUTH2_CC"), &json!(true)),
        "{hook}"
    );
    let conn = read(&env, &id, "").await;
    assert_eq!(conn.status, 200, "{}", conn.json);
    let credentials = &conn.json["credentials"];
    assert_eq!(credentials["type"], "OAUTH2_CC");
    assert!(token(&conn).starts_with("demo-at-"));
    assert_eq!(credentials["client_id"], "demo-client-id");
    assert_eq!(credentials["client_secret"], "demo-client-secret");
    assert!(
        credentials["expires_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(credentials["raw"]["token_type"], "Bearer");
    // The integration's scopes reached the provider through the connection_config.
    assert_eq!(credentials["raw"]["scope"], "reports");
    assert_eq!(
        conn.json["connection_config"],
        json!({"subdomain": "acme", "oauth_scopes": "reports"})
    );
    assert_eq!(conn.json["tags"]["plan"], "pro");
    assert_eq!(conn.json["tags"]["end_user_id"], "u-1");
}

#[tokio::test]
async fn a_refused_client_creates_nothing() {
    let env = OAuthEnv::new().await;
    let body = json!({"client_id": "demo-client-id", "client_secret": "wrong"});
    let resp = create(&env, "&params[subdomain]=acme", &body).await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "client_credentials_fetch_error"),
        "{}",
        resp.json
    );
    assert_eq!(resp.issues(), [cp("auth_provider_refused", &[])]);
    // The provider's answer travels as Nango's payload.
    assert!(
        resp.json["error"]["payload"]
            .as_str()
            .is_some_and(|p| p.contains("invalid_client")),
        "{}",
        resp.json
    );
    assert_eq!(env.provider.client_grants(), 1);
    let list = env.app.secret("GET", "/connections", None).await;
    assert_eq!(list.json["connections"], json!([]), "{}", list.json);
    assert!(
        env.hooks
            .silent_for(std::time::Duration::from_millis(300))
            .await
    );
}

#[tokio::test]
async fn the_body_and_the_connection_config_are_checked_before_the_provider_is_asked() {
    let env = OAuthEnv::new().await;
    let resp = create(
        &env,
        "&params[subdomain]=acme",
        &json!({"client_secret": "s"}),
    )
    .await;
    assert_eq!((resp.status, resp.code()), (400, "missing_client_id"));
    assert_eq!(
        resp.json["error"]["message"],
        "Missing param 'oauth_client_id'."
    );
    assert_eq!(resp.issues(), [cp("value_required", &["client_id"])]);
    let resp = create(&env, "&params[subdomain]=acme", &json!({"client_id": "c"})).await;
    assert_eq!((resp.status, resp.code()), (400, "missing_client_secret"));
    let resp = create(&env, "", &client()).await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "invalid_query_params"),
        "{}",
        resp.json
    );
    assert_eq!(
        resp.issues(),
        [cp(
            "interpolation_value_missing",
            &["connection_config", "subdomain"]
        )]
    );
    let resp = create(&env, "&params[subdomain]=a.b", &client()).await;
    assert_eq!(
        resp.issues(),
        [cp(
            "field_pattern_mismatch",
            &["connection_config", "subdomain"]
        )]
    );
    let resp = create(&env, "&params[subdomain]=acme", &json!({"client_id": 7})).await;
    assert_eq!((resp.status, resp.code()), (400, "invalid_body"));
    assert_eq!(env.provider.client_grants(), 0, "no request left");
}

#[tokio::test]
async fn an_expiring_token_is_obtained_again_on_read_and_a_fresh_one_is_not() {
    let env = OAuthEnv::new().await;
    // Ten minutes: inside the 15-minute margin from the start.
    env.provider.set_expires_in(600);
    let id = connected(&env).await;
    let first = read(&env, &id, "").await;
    assert_eq!(first.status, 200, "{}", first.json);
    assert_eq!(
        env.provider.client_grants(),
        2,
        "the read renewed the token"
    );
    env.provider.set_expires_in(3600);
    let second = read(&env, &id, "").await;
    assert_eq!(env.provider.client_grants(), 3);
    assert_ne!(token(&first), token(&second));
    assert_eq!(second.json["credentials"]["client_id"], "demo-client-id");
    let third = read(&env, &id, "").await;
    assert_eq!(token(&third), token(&second), "fresh now");
    assert_eq!(env.provider.client_grants(), 3);
    let forced = read(&env, &id, "&force_refresh=true").await;
    assert_eq!(env.provider.client_grants(), 4);
    assert_ne!(token(&forced), token(&third));
}

#[tokio::test]
async fn a_failed_renewal_answers_nangos_error_and_backs_off() {
    let env = OAuthEnv::new().await;
    env.provider.set_expires_in(60);
    let id = connected(&env).await;
    env.provider.fail_token_requests(true);
    let resp = read(&env, &id, "").await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "invalid_credentials"),
        "{}",
        resp.json
    );
    assert_eq!(
        resp.json["error"]["payload"]["connection"]["credentials"],
        json!({})
    );
    let hook: Value = serde_json::from_slice(&env.hooks.next().await.body).unwrap();
    assert_eq!(
        (&hook["operation"], &hook["success"]),
        (&json!("refresh"), &json!(false))
    );
    let resp = read(&env, &id, "").await;
    assert_eq!((resp.status, resp.code()), (424, "invalid_credentials"));
    assert_eq!(
        env.provider.client_grants(),
        2,
        "no try within the back-off"
    );
    env.provider.fail_token_requests(false);
    env.provider.set_expires_in(3600);
    let resp = read(&env, &id, "&force_refresh=true").await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    assert_eq!(env.provider.client_grants(), 3);
}

#[tokio::test]
async fn the_server_routes_every_auth_endpoint_core_names() {
    use connkit_core::request::AuthEndpoint;
    let env = OAuthEnv::new().await;
    for endpoint in AuthEndpoint::ALL {
        let uri = format!("{}/demo-basic", endpoint.path());
        let resp = env.app.call("POST", &uri, None, Some(&json!({}))).await;
        // A routed endpoint asks for a session token first; another is no route.
        assert_ne!(resp.status, 404, "{uri}: {}", resp.json);
    }
}

//! A reconnect session in every form-based auth mode (spec §2.2, §3.4): submitting the form
//! again overrides the connection it targets: the same id, the tags the session gives, an
//! `override` webhook. OAUTH2's popup flow is `oauth.rs`'s
//! `a_reconnect_session_reauthorises_the_same_connection`.

use serde_json::{Value, json};

use crate::oauth_support::OAuthEnv;

/// Each mode's endpoint, query and body, as the widget submits them.
fn submissions() -> Vec<(&'static str, &'static str, &'static str, Option<Value>)> {
    vec![
        (
            "API_KEY",
            "/api-auth/api-key/demo-api-key",
            "&params[subdomain]=acme",
            Some(json!({"apiKey": "k"})),
        ),
        (
            "BASIC",
            "/api-auth/basic/demo-basic",
            "&params[subdomain]=d",
            Some(json!({"username": "u", "password": "p"})),
        ),
        ("NONE", "/auth/unauthenticated/unauthenticated", "", None),
        (
            "OAUTH2_CC",
            "/oauth2/auth/demo-oauth2-cc",
            "&params[subdomain]=acme",
            Some(json!({"client_id": "demo-client-id", "client_secret": "demo-client-secret"})),
        ),
        (
            "TWO_STEP",
            "/auth/two-step/demo-two-step",
            "&params[subdomain]=acme",
            Some(
                json!({"type": "TWO_STEP", "username": "demo-client-id", "password": "demo-client-secret"}),
            ),
        ),
        (
            "SIGNATURE",
            "/auth/signature/demo-signature",
            "",
            Some(json!({"type": "SIGNATURE", "username": "ads-user", "password": "pw"})),
        ),
        (
            "TBA",
            "/auth/tba/demo-tba",
            "&params[accountId]=1234567",
            Some(json!({"token_id": "tid", "token_secret": "tsecret"})),
        ),
        (
            "JWT",
            "/auth/jwt/demo-jwt",
            "",
            Some(json!({"type": "JWT", "apiKeyId": "key-123", "apiSecret": "s3cret"})),
        ),
        (
            "BILL",
            "/auth/bill/demo-bill",
            "",
            Some(
                json!({"username": "demo-client-id", "password": "demo-client-secret",
            "organization_id": "org-1", "dev_key": "dk-1"}),
            ),
        ),
        (
            "AWS_SIGV4",
            "/auth/aws-sigv4/demo-aws",
            "",
            Some(json!({"role_arn": "arn:aws:iam::123456789012:role/DemoAccess"})),
        ),
    ]
}

#[tokio::test]
async fn every_form_mode_overrides_the_reconnected_connection() {
    let env = OAuthEnv::new().await;
    let tags = json!({"end_user_id": "u-7", "team": "ops"});
    for (mode, path, params, body) in submissions() {
        let key = path.rsplit('/').next().unwrap_or_default();
        let token = env.app.session(json!({"tags": tags})).await;
        let made = env.app.auth(path, &token, params, body.as_ref()).await;
        assert_eq!(made.status, 200, "{mode}: {}", made.json);
        let id = made.json["connectionId"].as_str().unwrap().to_owned();
        let hook: Value = serde_json::from_slice(&env.hooks.next().await.body).unwrap();
        assert_eq!(hook["operation"], "creation", "{mode}");

        // The app keeps the connection's tags by giving them to the reconnect session.
        let reconnect = json!({"connection_id": id, "integration_id": key, "tags": tags});
        let resp = env
            .app
            .secret("POST", "/connect/sessions/reconnect", Some(&reconnect))
            .await;
        assert_eq!(resp.status, 201, "{mode}: {}", resp.json);
        let token = resp.json["data"]["token"].as_str().unwrap().to_owned();
        let again = env.app.auth(path, &token, params, body.as_ref()).await;
        assert_eq!(
            (again.status, &again.json["connectionId"]),
            (200, &json!(id)),
            "{mode}: {}",
            again.json
        );
        let hook: Value = serde_json::from_slice(&env.hooks.next().await.body).unwrap();
        assert_eq!(
            (
                &hook["operation"],
                &hook["authMode"],
                &hook["connectionId"],
                &hook["tags"]
            ),
            (&json!("override"), &json!(mode), &json!(id), &tags),
            "{mode}"
        );
        let conn = env.app.connection(key, &id).await;
        assert_eq!(conn.json["tags"], tags, "{mode}");
        let listed = env
            .app
            .secret("GET", &format!("/connections?integrationId={key}"), None)
            .await;
        let ids = listed.json["connections"].as_array().map_or(0, Vec::len);
        assert_eq!(ids, 1, "{mode}: no second connection");
    }
}

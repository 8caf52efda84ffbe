//! A reconnect session in every form-based auth mode (spec §2.2, §3.4, §12.35): its GET
//! /connect/session names the connection's values the form starts with (never a credential),
//! and submitting the form again overrides the connection it targets: the same id, the tags the
//! session gives, an `override` webhook. OAUTH2's popup flow is `oauth.rs`'s
//! `a_reconnect_session_reauthorises_the_same_connection`.

use serde_json::{Value, json};

use crate::oauth_support::OAuthEnv;

/// One mode's submission, as the widget makes it, and what a reconnect form of it starts with.
struct Case {
    mode: &'static str,
    path: &'static str,
    params: &'static str,
    body: Option<Value>,
    starts_with: Value,
}

/// AWS_SIGV4's External ID, as the widget sends it.
const EXTERNAL_ID_PARAM: &str = "&params[external_id]=6f1c3d0e-8a4b-4c2d-9e1f-0a1b2c3d4e5f";

fn cases() -> Vec<Case> {
    let case = |mode, path, params, body, starts_with| Case {
        mode,
        path,
        params,
        body,
        starts_with,
    };
    let subdomain = json!({"subdomain": "acme"});
    vec![
        case(
            "API_KEY",
            "/api-auth/api-key/demo-api-key",
            "&params[subdomain]=acme",
            Some(json!({"apiKey": "k"})),
            subdomain.clone(),
        ),
        case(
            "BASIC",
            "/api-auth/basic/demo-basic",
            "&params[subdomain]=acme",
            Some(json!({"username": "u", "password": "p"})),
            subdomain.clone(),
        ),
        case(
            "NONE",
            "/auth/unauthenticated/unauthenticated",
            "",
            None,
            json!({}),
        ),
        case(
            "OAUTH2_CC",
            "/oauth2/auth/demo-oauth2-cc",
            "&params[subdomain]=acme",
            Some(json!({"client_id": "demo-client-id", "client_secret": "demo-client-secret"})),
            subdomain.clone(),
        ),
        case(
            "TWO_STEP",
            "/auth/two-step/demo-two-step",
            "&params[subdomain]=acme",
            Some(
                json!({"type": "TWO_STEP", "username": "demo-client-id", "password": "demo-client-secret"}),
            ),
            subdomain,
        ),
        case(
            "SIGNATURE",
            "/auth/signature/demo-signature",
            "",
            Some(json!({"type": "SIGNATURE", "username": "ads-user", "password": "pw"})),
            json!({}),
        ),
        case(
            "TBA",
            "/auth/tba/demo-tba",
            "&params[accountId]=1234567",
            Some(json!({"token_id": "tid", "token_secret": "tsecret"})),
            json!({"accountId": "1234567"}),
        ),
        case(
            "JWT",
            "/auth/jwt/demo-jwt",
            "",
            Some(json!({"type": "JWT", "apiKeyId": "key-123", "apiSecret": "s3cret"})),
            json!({}),
        ),
        case(
            "BILL",
            "/auth/bill/demo-bill",
            "",
            Some(
                json!({"username": "demo-client-id", "password": "demo-client-secret",
                "organization_id": "org-1", "dev_key": "dk-1"}),
            ),
            json!({}),
        ),
        // The region is the integration's default, kept in the connection_config; the External
        // ID the one the role trusts.
        case(
            "AWS_SIGV4",
            "/auth/aws-sigv4/demo-aws",
            EXTERNAL_ID_PARAM,
            Some(json!({"role_arn": "arn:aws:iam::123456789012:role/DemoAccess"})),
            json!({"region": "eu-west-1", "external_id": EXTERNAL_ID_PARAM.rsplit('=').next()}),
        ),
    ]
}

#[tokio::test]
async fn every_form_mode_overrides_the_reconnected_connection() {
    let env = OAuthEnv::new().await;
    let tags = json!({"end_user_id": "u-7", "team": "ops"});
    for Case {
        mode,
        path,
        params,
        body,
        starts_with,
    } in cases()
    {
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
        let session = env.app.session_of(&token).await;
        assert_eq!(
            session.json["data"]["reconnect_connection_config"], starts_with,
            "{mode}"
        );
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

//! TWO_STEP with JWTs connkit signs with private keys (spec §3.9): a service account's RS256
//! JWT signed first and traded at the local provider's JWT bearer endpoint, and an ES256 client
//! assertion signed with the assertion option's key; the local provider verifies each with the
//! public key (RustCrypto's verifiers, not connkit's signer), the integration's preconfigured
//! client id in place of the posted one; OAUTH2_CC's `private_key_jwt` client assertion signed
//! with a private JWK; an untrusted or unreadable key creates nothing.

use connkit_vectors::keys;
use serde_json::{Value, json};

use crate::oauth_support::OAuthEnv;
use crate::support::Resp;

async fn create(env: &OAuthEnv, key: &str, body: &Value) -> Resp {
    let token = env
        .app
        .session(json!({"end_user": {"id": "u-5"}, "tags": {"plan": "pro"}}))
        .await;
    env.app
        .auth(&format!("/auth/two-step/{key}"), &token, "", Some(body))
        .await
}

async fn read(env: &OAuthEnv, key: &str, id: &str, flags: &str) -> Resp {
    let uri = format!("/connections/{id}?provider_config_key={key}{flags}");
    let resp = env.app.secret("GET", &uri, None).await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    resp
}

#[tokio::test]
async fn a_service_account_jwt_signed_with_rs256_obtains_a_token() {
    let env = OAuthEnv::new().await;
    env.provider.trust_public_key(keys::RSA_PUBLIC);
    // As a form posts it: the key's newlines written as `\n`.
    let body = json!({
        "type": "TWO_STEP",
        "serviceAccount": "reports@demo.example.com",
        "scopes": "reports.read",
        "privateKey": keys::RSA_PKCS8.trim().replace('\n', "\\n"),
    });
    let resp = create(&env, "demo-service-account", &body).await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let id = resp.json["connectionId"].as_str().unwrap().to_owned();
    let claims = env.provider.last_jwt_claims().expect("a JWT was accepted");
    assert_eq!(claims["iss"], "reports@demo.example.com");
    assert_eq!(claims["scope"], "reports.read");
    assert!(
        claims["aud"]
            .as_str()
            .unwrap()
            .ends_with("/demo/provider/jwt-bearer")
    );
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    let conn = read(&env, "demo-service-account", &id, "").await;
    let credentials = &conn.json["credentials"];
    assert_eq!(credentials["type"], "TWO_STEP");
    let first = credentials["token"].as_str().unwrap().to_owned();
    assert!(first.starts_with("demo-jb-"), "{first}");
    assert_eq!(credentials["serviceAccount"], "reports@demo.example.com");
    // Renewed with the stored key when forced: a new JWT, a new token.
    let again = read(&env, "demo-service-account", &id, "&force_refresh=true").await;
    let second = again.json["credentials"]["token"].as_str().unwrap();
    assert!(
        second.starts_with("demo-jb-") && second != first,
        "{}",
        again.json
    );
}

#[tokio::test]
async fn an_es256_client_assertion_from_the_assertion_option_obtains_a_token() {
    let env = OAuthEnv::new().await;
    env.provider.trust_public_key(keys::P256_PUBLIC);
    // The integration preconfigures `clientId` (its integration_config): the posted one is
    // not used, nor stored.
    let body = json!({
        "type": "TWO_STEP",
        "clientId": "someone-else",
        "keyId": "key-1",
        "assertionOption": {"privateKey": keys::P256_PKCS8},
    });
    let resp = create(&env, "demo-partner-api", &body).await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let id = resp.json["connectionId"].as_str().unwrap().to_owned();
    let claims = env.provider.last_jwt_claims().expect("a JWT was accepted");
    assert_eq!(
        (&claims["iss"], &claims["sub"]),
        (&json!("partner-client"), &json!("partner-client"))
    );
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300
    );
    assert!(
        claims["jti"].as_str().is_some_and(|j| j.len() == 36),
        "{claims}"
    );
    let conn = read(&env, "demo-partner-api", &id, "").await;
    let credentials = &conn.json["credentials"];
    assert!(
        credentials["token"]
            .as_str()
            .unwrap()
            .starts_with("demo-jb-")
    );
    // The assertion is kept, the key is not (Nango drops `assertionOption`).
    let assertion = credentials["assertion"].as_str().unwrap();
    assert_eq!(assertion.split('.').count(), 3);
    assert!(
        credentials.get("assertionOption").is_none(),
        "{credentials}"
    );
    // Forced within the assertion's lifetime: the stored assertion is sent again.
    let again = read(&env, "demo-partner-api", &id, "&force_refresh=true").await;
    assert_eq!(again.json["credentials"]["assertion"], assertion);
}

#[tokio::test]
async fn an_untrusted_or_unreadable_key_creates_nothing() {
    let env = OAuthEnv::new().await;
    // The provider trusts the P-256 key only: the RSA-signed JWT is refused.
    env.provider.trust_public_key(keys::P256_PUBLIC);
    let body = json!({
        "type": "TWO_STEP",
        "serviceAccount": "reports@demo.example.com",
        "privateKey": keys::RSA_PKCS8,
    });
    let resp = create(&env, "demo-service-account", &body).await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "two_step_credentials_fetch_error"),
        "{}",
        resp.json
    );
    // `!` is no base64: formatPem throws (Nango's `failed_to_generate`).
    let body = json!({"type": "TWO_STEP", "serviceAccount": "x", "privateKey": "not a key!"});
    let resp = create(&env, "demo-service-account", &body).await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "failed_to_generate"),
        "{}",
        resp.json
    );
    // A PKCS#1 assertion key: generatePrivateKey reads PKCS#8 only.
    let body = json!({
        "type": "TWO_STEP",
        "clientId": "partner-client",
        "keyId": "key-1",
        "assertionOption": {"privateKey": keys::RSA_PKCS1},
    });
    let resp = create(&env, "demo-partner-api", &body).await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "invalid_private_key_format"),
        "{}",
        resp.json
    );
    let list = env.app.secret("GET", "/connections", None).await;
    assert_eq!(list.json["connections"], json!([]), "{}", list.json);
}

#[tokio::test]
async fn a_private_key_jwt_client_obtains_a_client_credentials_token() {
    let env = OAuthEnv::new().await;
    env.provider.trust_public_key(keys::RSA_PUBLIC);
    let token = env.app.session(json!({"end_user": {"id": "u-6"}})).await;
    let body = json!({"client_id": "partner-client", "client_private_key": keys::RSA_JWK});
    let resp = env
        .app
        .auth("/oauth2/auth/demo-partner-cc", &token, "", Some(&body))
        .await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let claims = env.provider.last_jwt_claims().expect("a JWT was accepted");
    assert_eq!(
        (&claims["iss"], &claims["sub"]),
        (&json!("partner-client"), &json!("partner-client"))
    );
    assert!(
        claims["aud"]
            .as_str()
            .unwrap()
            .ends_with("/demo/provider/jwt-bearer"),
        "{claims}"
    );
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300
    );
    let id = resp.json["connectionId"].as_str().unwrap().to_owned();
    let conn = read(&env, "demo-partner-cc", &id, "").await;
    let credentials = &conn.json["credentials"];
    assert_eq!(credentials["type"], "OAUTH2_CC");
    assert!(
        credentials["token"]
            .as_str()
            .unwrap()
            .starts_with("demo-jb-")
    );
    // A JWK without its kid cannot sign (jsonwebtoken's keyid must be a string).
    let mut jwk: Value = serde_json::from_str(keys::RSA_JWK).unwrap();
    jwk.as_object_mut().unwrap().remove("kid");
    let body = json!({"client_id": "partner-client", "client_private_key": jwk.to_string()});
    let token = env.app.session(json!({"end_user": {"id": "u-7"}})).await;
    let resp = env
        .app
        .auth("/oauth2/auth/demo-partner-cc", &token, "", Some(&body))
        .await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "failed_to_sign"),
        "{}",
        resp.json
    );
}

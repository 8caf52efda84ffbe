//! TWO_STEP's XML bodies and SAML assertions through `POST /auth/two-step/:key` (spec §3.9,
//! "XML bodies", "SAML assertions") against the local provider: `demo-xml-gateway` (like
//! sage-intacct) posts an XML login to an Intacct-like gateway and keeps the session id and
//! timeout read from its XML answer; `demo-saml` (like sap-success-factors) signs a SAML
//! assertion with the assertion option's key, and the provider verifies its XML-DSig
//! signature with the public key before granting a token. For each: the connection as core
//! reads it, a refusal that creates nothing, and the renewal on `GET /connections/:id`.

use connkit_vectors::keys;
use serde_json::{Value, json};

use crate::oauth_support::OAuthEnv;
use crate::two_step_support::{create, read, token};

const XML: &str = "demo-xml-gateway";
const SAML: &str = "demo-saml";

fn ledger_login(sender_password: &str, user_password: &str) -> Value {
    json!({
        "type": "TWO_STEP",
        "senderId": "demo-client-id",
        "senderPassword": sender_password,
        "userId": "demo-user",
        "companyId": "ACME",
        "userPassword": user_password,
    })
}

fn saml_login(user: &str) -> Value {
    json!({
        "type": "TWO_STEP",
        "apiKey": "demo-client-id",
        "assertionOption": {"userName": user, "privateKey": keys::RSA_PKCS8},
    })
}

async fn connected(env: &OAuthEnv, key: &str, params: &str, body: &Value) -> String {
    let resp = create(env, key, params, body).await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let hook: Value = serde_json::from_slice(&env.hooks.next().await.body).unwrap();
    assert_eq!(
        (
            &hook["operation"],
            &hook["authMode"],
            &hook["providerConfigKey"]
        ),
        (&json!("creation"), &json!("TWO_STEP"), &json!(key)),
        "{hook}"
    );
    resp.json["connectionId"].as_str().unwrap().to_owned()
}

async fn assert_nothing_created(env: &OAuthEnv) {
    let list = env.app.secret("GET", "/connections", None).await;
    assert_eq!(list.json["connections"], json!([]), "{}", list.json);
}

#[tokio::test]
async fn the_xml_gateway_session_is_read_from_its_xml_answer() {
    let env = OAuthEnv::new().await;
    let id = connected(
        &env,
        XML,
        "",
        &ledger_login("demo-client-secret", "demo-user-secret"),
    )
    .await;
    assert_eq!(env.provider.sessions(), 1);
    let conn = read(&env, XML, &id, "").await;
    assert_eq!(conn.status, 200, "{}", conn.json);
    let credentials = &conn.json["credentials"];
    assert_eq!(credentials["type"], "TWO_STEP");
    assert!(token(&conn).starts_with("demo-xml-"), "{credentials}");
    let answer = &credentials["raw"]["response"];
    assert_eq!(
        answer["operation"]["result"]["data"]["api"]["sessionid"],
        credentials["token"]
    );
    // The `+00:00` timeout the gateway wrote, read as a date.
    let timeout = answer["operation"]["authentication"]["sessiontimeout"]
        .as_str()
        .unwrap();
    let expires_at = credentials["expires_at"].as_str().unwrap();
    assert_eq!(
        (expires_at.get(..19), expires_at.get(19..)),
        (timeout.get(..19), Some(".000Z")),
        "{timeout}"
    );
    // What the XML request carried came from the posted values, kept as posted.
    assert_eq!(answer["control"]["senderid"], "demo-client-id");
    assert_eq!(answer["operation"]["result"]["controlid"], "{{$guid}}");
    assert_eq!(credentials["userId"], "demo-user");
    assert_eq!(credentials["companyId"], "ACME");
    assert_eq!(conn.json["tags"]["team"], "ops");
}

#[tokio::test]
async fn an_xml_failure_answer_creates_nothing() {
    let env = OAuthEnv::new().await;
    // A wrong sender fails the control block, a wrong user the login; both answer 200.
    for body in [
        ledger_login("wrong", "demo-user-secret"),
        ledger_login("demo-client-secret", "wrong"),
    ] {
        let resp = create(&env, XML, "", &body).await;
        assert_eq!(
            (resp.status, resp.code()),
            (400, "incomplete_raw_credentials"),
            "{}",
            resp.json
        );
    }
    assert_eq!(env.provider.sessions(), 2);
    assert_nothing_created(&env).await;
}

#[tokio::test]
async fn an_ending_xml_session_is_opened_again_with_the_stored_values() {
    let env = OAuthEnv::new().await;
    env.provider.set_expires_in(600);
    let body = ledger_login("demo-client-secret", "demo-user-secret");
    let id = connected(&env, XML, "", &body).await;
    let first = read(&env, XML, &id, "").await;
    assert_eq!(first.status, 200, "{}", first.json);
    assert_eq!(env.provider.sessions(), 2, "the read renewed the session");
    env.provider.set_expires_in(3600);
    let second = read(&env, XML, &id, "").await;
    assert_eq!(env.provider.sessions(), 3);
    assert_ne!(token(&first), token(&second));
    let third = read(&env, XML, &id, "").await;
    assert_eq!(token(&third), token(&second), "fresh now");
    assert_eq!(env.provider.sessions(), 3);
}

#[tokio::test]
async fn a_signed_saml_assertion_obtains_a_token() {
    let env = OAuthEnv::new().await;
    env.provider.trust_public_key(keys::RSA_PUBLIC);
    let id = connected(
        &env,
        SAML,
        "&params[companyId]=ACME",
        &saml_login("demo-user"),
    )
    .await;
    let posted = env.provider.saml_assertions();
    assert_eq!(posted.len(), 1);
    let conn = read(&env, SAML, &id, "").await;
    assert_eq!(conn.status, 200, "{}", conn.json);
    let credentials = &conn.json["credentials"];
    assert!(token(&conn).starts_with("demo-saml-"), "{credentials}");
    assert_eq!(credentials["raw"]["access_token"], credentials["token"]);
    assert!(
        credentials["expires_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    // The assertion the provider verified is kept; the key it was signed with is not.
    assert_eq!(credentials["assertion"], posted[0].as_str());
    assert_eq!(credentials["apiKey"], "demo-client-id");
    assert!(
        credentials.get("assertionOption").is_none(),
        "{credentials}"
    );
    assert_eq!(conn.json["connection_config"]["companyId"], "ACME");
    assert_eq!(conn.json["tags"]["team"], "ops");
}

#[tokio::test]
async fn a_refused_saml_assertion_creates_nothing() {
    let env = OAuthEnv::new().await;
    // The provider trusts the P-256 key only: connkit's RSA signature does not verify.
    env.provider.trust_public_key(keys::P256_PUBLIC);
    let resp = create(
        &env,
        SAML,
        "&params[companyId]=ACME",
        &saml_login("demo-user"),
    )
    .await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "two_step_credentials_fetch_error"),
        "{}",
        resp.json
    );
    // Trusted, but for a user or a company the provider does not know.
    env.provider.trust_public_key(keys::RSA_PUBLIC);
    for (params, user) in [
        ("&params[companyId]=ACME", "someone-else"),
        ("&params[companyId]=OTHER", "demo-user"),
    ] {
        let resp = create(&env, SAML, params, &saml_login(user)).await;
        assert_eq!(
            (resp.status, resp.code()),
            (400, "two_step_credentials_fetch_error"),
            "{}",
            resp.json
        );
    }
    assert_eq!(env.provider.saml_assertions().len(), 3);
    // A key that does not read: nothing is posted.
    let mut body = saml_login("demo-user");
    body["assertionOption"]["privateKey"] = json!(keys::RSA_PKCS1);
    let resp = create(&env, SAML, "&params[companyId]=ACME", &body).await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "failed_to_generate_assertion"),
        "{}",
        resp.json
    );
    assert_eq!(env.provider.saml_assertions().len(), 3);
    assert_nothing_created(&env).await;
}

#[tokio::test]
async fn a_renewal_posts_the_held_assertion_again() {
    let env = OAuthEnv::new().await;
    env.provider.trust_public_key(keys::RSA_PUBLIC);
    env.provider.set_expires_in(600);
    let id = connected(
        &env,
        SAML,
        "&params[companyId]=ACME",
        &saml_login("demo-user"),
    )
    .await;
    let first = read(&env, SAML, &id, "").await;
    assert_eq!(first.status, 200, "{}", first.json);
    env.provider.set_expires_in(3600);
    let forced = read(&env, SAML, &id, "&force_refresh=true").await;
    assert_eq!(forced.status, 200, "{}", forced.json);
    assert_ne!(token(&first), token(&forced));
    // Good for ten years: each renewal posted the assertion made at connection time (the key
    // that signed it is not stored), and the connection keeps it.
    let posted = env.provider.saml_assertions();
    assert_eq!(posted.len(), 3, "connection, expiry, forced");
    assert!(posted.iter().all(|a| a == &posted[0]));
    assert_eq!(forced.json["credentials"]["assertion"], posted[0].as_str());
}

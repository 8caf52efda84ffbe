//! BILL, SIGNATURE, TBA and JWT (spec §3.3, §3.9): their bodies; BILL's session opened at the
//! local provider (a refusal creates nothing; a session opened again when forced); SIGNATURE's
//! WSSE token made at connection time and again when forced; TBA's token stored with its
//! client overrides; JWT's HS256 token signed with the posted secret.

use serde_json::{Value, json};

use crate::oauth_support::OAuthEnv;
use crate::support::{Resp, cp};

async fn create(env: &OAuthEnv, path: &str, params: &str, body: &Value) -> Resp {
    let token = env
        .app
        .session(json!({"end_user": {"id": "u-3"}, "tags": {"plan": "free"}}))
        .await;
    env.app.auth(path, &token, params, Some(body)).await
}

async fn read(env: &OAuthEnv, key: &str, id: &str, flags: &str) -> Resp {
    let uri = format!("/connections/{id}?provider_config_key={key}{flags}");
    let resp = env.app.secret("GET", &uri, None).await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    resp
}

fn bill_login(password: &str) -> Value {
    json!({
        "username": "demo-client-id",
        "password": password,
        "organization_id": "org-1",
        "dev_key": "dk-1",
    })
}

#[tokio::test]
async fn bill_opens_a_session_and_opens_another_when_it_expires() {
    let env = OAuthEnv::new().await;
    let resp = create(
        &env,
        "/auth/bill/demo-bill",
        "",
        &bill_login("demo-client-secret"),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let id = resp.json["connectionId"].as_str().unwrap().to_owned();
    let hook: Value = serde_json::from_slice(&env.hooks.next().await.body).unwrap();
    assert_eq!(hook["authMode"], "BILL");
    let conn = read(&env, "demo-bill", &id, "").await;
    let credentials = &conn.json["credentials"];
    assert_eq!(credentials["type"], "BILL");
    assert_eq!(credentials["organization_id"], "org-1");
    assert_eq!(credentials["dev_key"], "dk-1");
    assert_eq!(credentials["user_id"], "demo-user");
    let first = credentials["session_id"].as_str().unwrap().to_owned();
    assert!(first.starts_with("demo-bill-"));
    assert_eq!(env.provider.sessions(), 1);
    // 35 minutes is more than the 15-minute margin: fresh until forced.
    let forced = read(&env, "demo-bill", &id, "&force_refresh=true").await;
    assert_eq!(env.provider.sessions(), 2);
    assert_ne!(forced.json["credentials"]["session_id"], json!(first));
}

#[tokio::test]
async fn a_refused_bill_login_and_bad_bodies_create_nothing() {
    let env = OAuthEnv::new().await;
    let resp = create(&env, "/auth/bill/demo-bill", "", &bill_login("wrong")).await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "bill_tokens_fetch_error"),
        "{}",
        resp.json
    );
    assert_eq!(resp.issues(), [cp("auth_provider_refused", &[])]);
    let mut missing = bill_login("demo-client-secret");
    missing.as_object_mut().unwrap().remove("dev_key");
    let resp = create(&env, "/auth/bill/demo-bill", "", &missing).await;
    assert_eq!((resp.status, resp.code()), (400, "invalid_body"));
    assert_eq!(resp.issues(), [cp("value_required", &["dev_key"])]);
    assert_eq!(env.provider.sessions(), 1, "a bad body asks nothing");
    let list = env.app.secret("GET", "/connections", None).await;
    assert_eq!(list.json["connections"], json!([]));
}

#[tokio::test]
async fn signature_makes_a_wsse_token_now_and_again_when_forced() {
    let env = OAuthEnv::new().await;
    let body = json!({"type": "SIGNATURE", "username": "ads-user", "password": "pw"});
    let resp = create(&env, "/auth/signature/demo-signature", "", &body).await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let id = resp.json["connectionId"].as_str().unwrap().to_owned();
    let conn = read(&env, "demo-signature", &id, "").await;
    let credentials = &conn.json["credentials"];
    assert_eq!(credentials["type"], "SIGNATURE");
    assert_eq!(credentials["username"], "ads-user");
    let token = credentials["token"].as_str().unwrap().to_owned();
    assert!(
        token.starts_with("UsernameToken Username=\"ads-user\", PasswordDigest=\""),
        "{token}"
    );
    let forced = read(&env, "demo-signature", &id, "&force_refresh=true").await;
    assert_ne!(
        forced.json["credentials"]["token"],
        json!(token),
        "a new nonce"
    );
    let resp = create(
        &env,
        "/auth/signature/demo-signature",
        "",
        &json!({"username": "u", "password": "p"}),
    )
    .await;
    assert_eq!((resp.status, resp.code()), (400, "invalid_body"));
    assert_eq!(resp.issues(), [cp("value_required", &["type"])]);
}

#[tokio::test]
async fn tba_stores_the_token_and_the_client_overrides() {
    let env = OAuthEnv::new().await;
    let body = json!({
        "token_id": "tid",
        "token_secret": "tsecret",
        "oauth_client_id_override": "own-client",
    });
    let resp = create(
        &env,
        "/auth/tba/demo-tba",
        "&params[accountId]=1234567",
        &body,
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let id = resp.json["connectionId"].as_str().unwrap().to_owned();
    let conn = read(&env, "demo-tba", &id, "").await;
    assert_eq!(
        conn.json["credentials"],
        json!({
            "type": "TBA",
            "token_id": "tid",
            "token_secret": "tsecret",
            "config_override": {"client_id": "own-client"},
        })
    );
    assert_eq!(
        conn.json["connection_config"],
        json!({"accountId": "1234567", "oauth_client_id": "demo-erp-client"})
    );
    let resp = create(
        &env,
        "/auth/tba/demo-tba",
        "",
        &json!({"token_id": "", "token_secret": "s", "x": 1}),
    )
    .await;
    assert_eq!((resp.status, resp.code()), (400, "invalid_body"));
    assert_eq!(
        resp.issues(),
        [
            cp("string_empty", &["token_id"]),
            cp("key_unrecognized", &["x"])
        ]
    );
}

#[tokio::test]
async fn jwt_signs_a_token_with_the_posted_secret() {
    let env = OAuthEnv::new().await;
    let body = json!({"type": "JWT", "apiKeyId": "key-123", "apiSecret": "s3cret"});
    let resp = create(&env, "/auth/jwt/demo-jwt", "", &body).await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let id = resp.json["connectionId"].as_str().unwrap().to_owned();
    let conn = read(&env, "demo-jwt", &id, "").await;
    let credentials = &conn.json["credentials"];
    assert_eq!(credentials["type"], "JWT");
    assert_eq!(credentials["apiKeyId"], "key-123");
    let token = credentials["token"].as_str().unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let claims: Value = serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
    assert_eq!(claims["iss"], "key-123");
    let exp = claims["exp"].as_i64().unwrap();
    assert_eq!(exp - claims["iat"].as_i64().unwrap(), 300);
    // The signature is HMAC-SHA256 of the first two parts under the posted secret.
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").unwrap();
    mac.update(format!("{}.{}", parts[0], parts[1]).as_bytes());
    assert_eq!(engine.encode(mac.finalize().into_bytes()), parts[2]);
    let resp = create(&env, "/auth/jwt/demo-jwt", "", &json!([1])).await;
    assert_eq!((resp.status, resp.code()), (400, "invalid_body"));
}

#[tokio::test]
async fn aws_sigv4_assumes_the_role_through_the_integrations_sts_endpoint() {
    let env = OAuthEnv::new().await;
    let role = "arn:aws:iam::123456789012:role/DemoAccess";
    env.provider.set_expires_in(600);
    let resp = create(
        &env,
        "/auth/aws-sigv4/demo-aws",
        "",
        &json!({"role_arn": role}),
    )
    .await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let id = resp.json["connectionId"].as_str().unwrap().to_owned();
    assert_eq!(env.provider.sessions(), 1);
    let conn = env
        .app
        .secret(
            "GET",
            &format!("/connections/{id}?provider_config_key=demo-aws"),
            None,
        )
        .await;
    assert_eq!(conn.status, 200, "{}", conn.json);
    // Ten minutes is inside the 15-minute margin: the read assumed the role again.
    assert_eq!(env.provider.sessions(), 2);
    let credentials = &conn.json["credentials"];
    assert_eq!(credentials["type"], "AWS_SIGV4");
    assert_eq!(credentials["role_arn"], role);
    assert_eq!(
        credentials["region"], "eu-west-1",
        "the integration's default"
    );
    assert_eq!(credentials["service"], "s3");
    assert!(
        credentials["session_token"]
            .as_str()
            .unwrap()
            .starts_with("demo-sts-")
    );
    assert_eq!(
        credentials["raw"]["session_token"],
        credentials["session_token"]
    );
    let config = &conn.json["connection_config"];
    let external_id = config["external_id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(external_id).is_ok(), "{config}");
    assert_eq!(credentials["external_id"], external_id);
    assert_eq!(
        (&config["role_arn"], &config["region"], &config["service"]),
        (&json!(role), &json!("eu-west-1"), &json!("s3"))
    );
    // The body's region wins over the default; a region out of shape is refused unasked.
    let body = json!({"role_arn": role, "region": "us-east-2"});
    let resp = create(&env, "/auth/aws-sigv4/demo-aws", "", &body).await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let resp = create(
        &env,
        "/auth/aws-sigv4/demo-aws",
        "&params[region]=Bad.Region",
        &json!({"role_arn": role}),
    )
    .await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "invalid_body"),
        "{}",
        resp.json
    );
    assert_eq!(resp.issues(), [cp("field_pattern_mismatch", &["region"])]);
    assert_eq!(env.provider.sessions(), 3);
}

#[tokio::test]
async fn a_refused_role_creates_nothing() {
    let env = OAuthEnv::new().await;
    env.provider.fail_token_requests(true);
    let body = json!({"role_arn": "arn:aws:iam::1:role/r"});
    let resp = create(&env, "/auth/aws-sigv4/demo-aws", "", &body).await;
    assert_eq!(
        (resp.status, resp.code()),
        (400, "aws_sigv4_sts_request_failed"),
        "{}",
        resp.json
    );
    assert_eq!(resp.issues(), [cp("auth_provider_refused", &[])]);
    let list = env.app.secret("GET", "/connections", None).await;
    assert_eq!(list.json["connections"], json!([]));
}

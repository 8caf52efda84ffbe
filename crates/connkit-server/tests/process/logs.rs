//! No secret in any log line at any level: a full flow (a session, the session's own routes,
//! API_KEY and BASIC connections with credentials in bodies and the session token in the query,
//! a credential test whose request fails with the API key in its query, reads of the
//! credentials, changes, a TWO_STEP token request failing with the password in its query, a
//! webhook to a URL with credentials in its userinfo and query, refused the first time) against a server at `RUST_LOG=trace`, then every secret is looked for in
//! everything the process printed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{KEY, Start, client, data_dir, json_of, session_token, status_of};

/// A catalogue whose checked API-key provider sends the key in the query of its credential
/// test, to a port where nothing listens (`PORT`).
const PROVIDERS: &str = "local-key:
    display_name: Checked key
    auth_mode: API_KEY
    proxy:
        base_url: http://127.0.0.1:PORT
        query:
            api_key: ${apiKey}
        verification:
            endpoints:
                - /me
local-key-open:
    display_name: Key
    auth_mode: API_KEY
local-basic:
    display_name: Basic
    auth_mode: BASIC
local-none:
    display_name: None
    auth_mode: NONE
local-two-step:
    display_name: Two step
    auth_mode: TWO_STEP
    token_url: http://127.0.0.1:PORT/session?key=${credentials.password}
    token_request_method: GET
    token_params:
        user: ${credentials.username}
        password: ${credentials.password}
    token_response:
        token: token
    credentials:
        username:
            type: string
        password:
            type: string
            secret: true
";

const INTEGRATIONS: &str = "[[integration]]
unique_key = \"key-checked\"
provider = \"local-key\"

[[integration]]
unique_key = \"key\"
provider = \"local-key-open\"

[[integration]]
unique_key = \"basic\"
provider = \"local-basic\"

[[integration]]
unique_key = \"none\"
provider = \"local-none\"

[[integration]]
unique_key = \"two-step\"
provider = \"local-two-step\"
";

const ENCRYPTION_KEY: &str = "c2VjcmV0LWVuY3J5cHRpb24ta2V5LTMyLWJ5dGVzISE=";
const WEBHOOK_SECRET: &str = "whsec-signing-Qx81";
const API_KEY: &str = "apikey-Zr5Xq0Lm";
const PASSWORD: &str = "basicpass-Yt7Wk3";
const HOOK_USER: &str = "hookuser-Pf2";
const HOOK_PASSWORD: &str = "hookpass-Nd9";
const HOOK_TOKEN: &str = "hooktoken-Vb4";
const TWO_STEP_PASSWORD: &str = "twostep-Kq93";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_flow_at_trace_level_logs_no_secret() {
    // A receiver that refuses the first webhook, then takes them.
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move || {
            let n = counted.fetch_add(1, Ordering::SeqCst);
            async move {
                if n == 0 {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    let hook_url =
        format!("http://{HOOK_USER}:{HOOK_PASSWORD}@127.0.0.1:{port}/hooks?token={HOOK_TOKEN}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_port = closed.local_addr().unwrap().port();
    drop(closed);
    let (tmp, dir) = data_dir();
    let providers = tmp.path().join("providers.yaml");
    let integrations = tmp.path().join("integrations.toml");
    std::fs::write(
        &providers,
        PROVIDERS.replace("PORT", &closed_port.to_string()),
    )
    .unwrap();
    std::fs::write(&integrations, INTEGRATIONS).unwrap();
    let key_file = tmp.path().join("secret-key");
    let encryption_file = tmp.path().join("encryption-key");
    std::fs::write(&key_file, KEY).unwrap();
    std::fs::write(&encryption_file, ENCRYPTION_KEY).unwrap();
    let mut server = Start::new(&dir)
        .env("RUST_LOG", "trace")
        .env("CONNKIT_SECRET_KEY_FILE", key_file.to_str().unwrap())
        .env(
            "CONNKIT_ENCRYPTION_KEY_FILE",
            encryption_file.to_str().unwrap(),
        )
        .env("CONNKIT_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .args(&["--webhook-url", &hook_url, "--webhook-backoff-ms", "50"])
        .args(&[
            "--verify-credentials",
            "--providers",
            providers.to_str().unwrap(),
        ])
        .args(&["--integrations", integrations.to_str().unwrap()])
        .spawn()
        .unwrap();
    let http = client();
    let base = server.base.clone();

    let token = session_token(
        &http,
        &base,
        KEY,
        json!({"end_user": {"id": "u1", "email": "u1@x.io"}, "tags": {"plan": "pro"}}),
    )
    .await;
    for path in ["/connect/session", "/integrations", "/providers"] {
        let request = http.get(format!("{base}{path}")).bearer_auth(&token);
        assert_eq!(status_of(request).await, 200, "{path}");
    }
    let checked = http
        .post(format!(
            "{base}/api-auth/api-key/key-checked?connect_session_token={token}"
        ))
        .json(&json!({"apiKey": API_KEY}));
    assert_eq!(status_of(checked).await, 400, "the credential test failed");
    let api_key = json_of(
        http.post(format!(
            "{base}/api-auth/api-key/key?connect_session_token={token}&params[region]=eu"
        ))
        .json(&json!({"apiKey": API_KEY})),
    )
    .await;
    let api_key_id = api_key["connectionId"].as_str().unwrap().to_owned();
    let basic = http
        .post(format!(
            "{base}/api-auth/basic/basic?connect_session_token={token}"
        ))
        .json(&json!({"username": "ada", "password": PASSWORD}));
    assert_eq!(status_of(basic).await, 200);
    // A TWO_STEP token request that fails with the password in its query.
    let two_step = http
        .post(format!(
            "{base}/auth/two-step/two-step?connect_session_token={token}"
        ))
        .json(&json!({"username": "ada", "password": TWO_STEP_PASSWORD}));
    assert_eq!(status_of(two_step).await, 400, "the token request failed");
    // A refused token, in the query and in the header.
    let refused = http.post(format!(
        "{base}/auth/unauthenticated/none?connect_session_token={token}x"
    ));
    assert_eq!(status_of(refused).await, 401);
    let one = format!("{base}/connections/{api_key_id}?provider_config_key=key");
    let shown = json_of(http.get(&one).bearer_auth(KEY)).await;
    assert_eq!(shown["credentials"]["apiKey"], API_KEY);
    let patched = http
        .patch(&one)
        .bearer_auth(KEY)
        .json(&json!({"tags": {"plan": "team"}}));
    assert_eq!(status_of(patched).await, 200);
    let metadata = http
        .post(format!("{base}/connections/metadata"))
        .bearer_auth(KEY)
        .json(
            &json!({"connection_id": api_key_id, "provider_config_key": "key",
                      "metadata": {"seats": 3}}),
        );
    assert_eq!(status_of(metadata).await, 201);
    let listed = http
        .get(format!("{base}/connections?search=ada"))
        .bearer_auth(KEY);
    assert_eq!(status_of(listed).await, 200);
    let deleted = http.delete(&one).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(deleted.status(), 200);
    // Both webhooks delivered, one after a refusal.
    let deadline = Instant::now() + Duration::from_secs(10);
    while hits.load(Ordering::SeqCst) < 3 {
        assert!(Instant::now() < deadline, "webhooks not delivered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(server.terminate(Duration::from_secs(15)).is_some());

    let output = server.output();
    assert!(output.contains("TRACE"), "the log ran at trace level");
    assert!(
        output.contains("credential test request failed"),
        "the failed credential test was logged"
    );
    assert!(
        output.contains("auth request failed"),
        "the failed TWO_STEP request was logged"
    );
    for secret in [
        KEY,
        &token,
        &token["nango_connect_session_".len()..],
        ENCRYPTION_KEY,
        WEBHOOK_SECRET,
        API_KEY,
        PASSWORD,
        HOOK_USER,
        HOOK_PASSWORD,
        HOOK_TOKEN,
        TWO_STEP_PASSWORD,
    ] {
        let lines: Vec<&str> = output.lines().filter(|l| l.contains(secret)).collect();
        assert!(lines.is_empty(), "{secret} logged:\n{}", lines.join("\n"));
    }
}

//! The webhook outbox in process: a webhook is written with the connection it announces (a
//! failed write queues none), failures are retried, and one that ran out of tries stays listed
//! for the operator (`GET /connkit/webhooks`, without the URL's credentials) until
//! `POST /connkit/webhooks/retry` sends it again.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{TestApp, receiver};

/// `GET /connkit/webhooks` until `done` holds (10 s at most); the last answer.
async fn outbox_until(app: &TestApp, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let resp = app.secret("GET", "/connkit/webhooks", None).await;
        assert_eq!(resp.status, 200, "{}", resp.json);
        if done(&resp.json) {
            return resp.json;
        }
        assert!(
            Instant::now() < deadline,
            "outbox after 10 s: {}",
            resp.json
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_webhook_out_of_tries_is_listed_without_secrets_and_can_be_sent_again() {
    let hook = receiver(usize::MAX, false).await;
    // Credentials in the userinfo and the query must not be shown.
    let url = hook.url.replacen("http://", "http://hookuser:hookpass@", 1) + "?token=hooktoken";
    let app = TestApp::with(|s| s.webhook_url = Some(url.clone())).await;
    let id = app.tagged_connection(json!({"team": "red"})).await;
    let listed = outbox_until(&app, |o| {
        o["failed"].as_array().is_some_and(|f| f.len() == 1)
    })
    .await;
    let failed = &listed["failed"][0];
    assert_eq!(listed["pending"], 0);
    assert_eq!(failed["attempts"], 4, "every try of the policy: {failed}");
    assert_eq!(failed["last_error"], "status 500");
    assert_eq!(failed["body"]["connectionId"], id.as_str());
    let shown = failed["url"].as_str().unwrap();
    assert_eq!(shown, hook.url, "no userinfo, no query");
    for secret in ["hookuser", "hookpass", "hooktoken"] {
        assert!(!listed.to_string().contains(secret), "{listed}");
    }
    assert_eq!(hook.count.load(std::sync::atomic::Ordering::SeqCst), 4);

    let retried = app.secret("POST", "/connkit/webhooks/retry", None).await;
    assert_eq!(
        (retried.status, &retried.json),
        (200, &json!({"requeued": 1}))
    );
    let listed = outbox_until(&app, |o| {
        o["failed"].as_array().is_some_and(|f| f.len() == 1) && o["pending"] == 0
    })
    .await;
    assert_eq!(listed["failed"][0]["attempts"], 4, "tries start again");
    assert_eq!(hook.count.load(std::sync::atomic::Ordering::SeqCst), 8);
}

#[tokio::test]
async fn the_outbox_routes_want_the_secret_key_and_nothing_else() {
    let app = TestApp::new().await;
    app.call("GET", "/connkit/webhooks", None, None)
        .await
        .assert(401, "missing_auth_header");
    app.call("POST", "/connkit/webhooks/retry", None, None)
        .await
        .assert(401, "missing_auth_header");
    app.secret("GET", "/connkit/webhooks?x=1", None)
        .await
        .assert(400, "invalid_query_params");
    app.secret("POST", "/connkit/webhooks/retry", Some(&json!({"a": 1})))
        .await
        .assert(400, "invalid_body");
    let resp = app.secret("GET", "/connkit/webhooks", None).await;
    assert_eq!(
        (resp.status, &resp.json),
        (200, &json!({"pending": 0, "failed": []}))
    );
}

#[tokio::test]
async fn a_connection_write_that_fails_queues_no_webhook() {
    let hook = receiver(0, false).await;
    let url = hook.url.clone();
    let app = TestApp::with(|s| s.webhook_url = Some(url)).await;
    let db = app.sql().await;
    db.fail_writes_tagged("boom", false).await;
    let token = app.session(json!({"tags": {"boom": "1"}})).await;
    let resp = app
        .auth("/auth/unauthenticated/unauthenticated", &token, "", None)
        .await;
    assert_eq!(resp.status, 500, "{}", resp.json);
    assert_eq!(db.int("SELECT count(*) FROM webhook_outbox").await, 0);
    // The next write's webhook is queued and delivered.
    let id = app.tagged_connection(json!({"team": "red"})).await;
    let hit = hook.next().await;
    let body: Value = serde_json::from_slice(&hit.body).unwrap();
    assert_eq!(body["connectionId"], id.as_str());
    assert!(hook.silent_for(Duration::from_millis(200)).await);
}

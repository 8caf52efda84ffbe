//! The request vectors of `tests/vectors/requests.json` over HTTP: each case sent to an endpoint
//! that applies its check, in the part (query, path or body) that check reads. A refused case
//! answers 400 in that part's envelope with Nango's projection as `errors` (when Nango refuses)
//! and connkit's codes and paths as `issues`; an accepted case is not refused by that check
//! (the endpoint may still answer 404, 201, …).

use serde_json::Value;

use crate::support::{KEY, Resp, TestApp, pairs};

fn cases() -> Vec<Value> {
    let file: Value =
        serde_json::from_str(include_str!("../../../../tests/vectors/requests.json")).unwrap();
    file["cases"].as_array().unwrap().clone()
}

/// Every byte but ASCII letters and digits percent-encoded.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn sorted(mut list: Vec<(String, Vec<String>)>) -> Vec<(String, Vec<String>)> {
    list.sort();
    list
}

/// Sends `case` where its check runs; returns the answer and the envelope code of that part.
async fn send(app: &TestApp, connection: &str, case: &Value) -> Option<(Resp, &'static str)> {
    let query = case["query"].as_str().unwrap_or("");
    let param = case["param"].as_str().unwrap_or("");
    let body = case.get("body");
    let secret = format!("Bearer {KEY}");
    let token = || app.session(serde_json::json!({"tags": {}}));
    let sent = match case["check"].as_str().unwrap() {
        "list_query" => (
            app.secret("GET", &format!("/connections?{query}"), None)
                .await,
            "invalid_query_params",
        ),
        "connection_get_query" => (
            app.secret("GET", &format!("/connections/c1?{query}"), None)
                .await,
            "invalid_query_params",
        ),
        "connection_query" => (
            app.secret("DELETE", &format!("/connections/c1?{query}"), None)
                .await,
            "invalid_query_params",
        ),
        "auth_query" | "auth_query_with_session_token" => {
            let path = "/auth/unauthenticated/unauthenticated";
            let resp = app
                .auth(path, &token().await, &format!("&{query}"), None)
                .await;
            (resp, "invalid_query_params")
        }
        "empty_query" => (
            app.secret("GET", &format!("/integrations?{query}"), None)
                .await,
            "invalid_query_params",
        ),
        "providers_query" => (
            app.secret("GET", &format!("/providers?{query}"), None)
                .await,
            "invalid_query_params",
        ),
        // A router never matches an empty segment.
        "connection_id_param" if param.is_empty() => return None,
        "connection_id_param" => {
            let uri = format!(
                "/connections/{}?provider_config_key=unauthenticated",
                encoded(param)
            );
            (app.secret("GET", &uri, None).await, "invalid_uri_params")
        }
        "path_param_not_text" => {
            let uri = "/connections/%FF?provider_config_key=unauthenticated";
            (app.secret("GET", uri, None).await, "invalid_uri_params")
        }
        "integration_key_param" => {
            let path = format!("/auth/unauthenticated/{}", encoded(param));
            let resp = app.auth(&path, &token().await, "", None).await;
            (resp, "invalid_uri_params")
        }
        "provider_param" => (
            app.secret("GET", &format!("/providers/{}", encoded(param)), None)
                .await,
            "invalid_uri_params",
        ),
        "empty_body" => {
            let bearer = format!("Bearer {}", token().await);
            let resp = app
                .call("DELETE", "/connect/session", Some(&bearer), body)
                .await;
            (resp, "invalid_body")
        }
        "auth_body" => {
            let path = match case["endpoint"].as_str().unwrap() {
                "api_key" => "/api-auth/api-key/demo-api-key",
                "basic" => "/api-auth/basic/demo-basic",
                "oauth2_cc" => "/oauth2/auth/demo-oauth2-cc",
                "two_step" => "/auth/two-step/demo-two-step",
                "jwt" => "/auth/jwt/demo-jwt",
                "tba" => "/auth/tba/demo-tba",
                "bill" => "/auth/bill/demo-bill",
                "signature" => "/auth/signature/demo-signature",
                "aws_sigv4" => "/auth/aws-sigv4/demo-aws",
                _ => "/auth/unauthenticated/unauthenticated",
            };
            (
                app.auth(path, &token().await, "", body).await,
                "invalid_body",
            )
        }
        "connection_patch" => {
            let uri = format!("/connections/{connection}?provider_config_key=unauthenticated");
            (
                app.call("PATCH", &uri, Some(&secret), body).await,
                "invalid_body",
            )
        }
        "metadata_body" => (
            app.call("POST", "/connections/metadata", Some(&secret), body)
                .await,
            "invalid_body",
        ),
        "connect_session_body" => (
            app.call("POST", "/connect/sessions", Some(&secret), body)
                .await,
            "invalid_body",
        ),
        "reconnect_session_body" => (
            app.call("POST", "/connect/sessions/reconnect", Some(&secret), body)
                .await,
            "invalid_body",
        ),
        other => panic!("no endpoint for check {other}"),
    };
    Some(sent)
}

#[tokio::test]
async fn request_vectors_over_http() {
    let app = TestApp::new().await;
    let connection = app.tagged_connection(serde_json::json!({})).await;
    let mut checked = 0;
    for case in cases() {
        let name = &case["name"];
        let Some((resp, part)) = send(&app, &connection, &case).await else {
            continue;
        };
        checked += 1;
        let refused =
            resp.status == 400 && resp.code() == part && resp.json["error"]["errors"].is_array();
        let expect = &case["expect"];
        if let Some(ok) = expect.get("ok") {
            // The endpoints' callers hold a session token, so a valid `connection_id` is then
            // refused by the next check (the auth_query_with_session_token cases).
            let then_refused = case["check"] == "auth_query" && !ok["connection_id"].is_null();
            assert!(!refused || then_refused, "{name}: {}", resp.json);
            continue;
        }
        assert!(refused, "{name}: {} {}", resp.status, resp.json);
        let want_issues: Vec<Value> = expect["issues"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|it| it["severity"] != "warning")
            .cloned()
            .collect();
        assert_eq!(
            sorted(resp.issues()),
            sorted(pairs(&Value::Array(want_issues))),
            "{name}"
        );
        let nango = &expect["nango"];
        if nango.as_array().is_some_and(|list| !list.is_empty()) {
            assert_eq!(&resp.json["error"]["errors"], nango, "{name}");
        }
    }
    assert!(checked > 100, "only {checked} request vectors over HTTP");
}

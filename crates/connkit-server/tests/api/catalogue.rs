//! GET /integrations, GET /providers, GET /providers/:provider (spec §2.3, §4.2), with the
//! secret key and with a session token.

use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn integrations_list_by_provider_and_follow_the_allow_list() {
    let app = TestApp::new().await;
    let resp = app.secret("GET", "/integrations", None).await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let keys: Vec<&str> = resp.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["unique_key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "demo-api-key",
            "demo-api-key-eu",
            "demo-aws",
            "demo-basic",
            "demo-bill",
            "demo-jwt",
            "demo-oauth2",
            "demo-oauth2-cc",
            "demo-partner-api",
            "demo-partner-cc",
            "demo-saml",
            "demo-service-account",
            "demo-signature",
            "demo-tba",
            "demo-two-step",
            "demo-xml-gateway",
            "unauthenticated"
        ]
    );
    let basic = &resp.json["data"][3];
    assert_eq!(basic["display_name"], "Helpdesk");
    assert_eq!(basic["provider"], "demo-basic");
    assert!(
        basic["logo"]
            .as_str()
            .unwrap()
            .ends_with("/images/template-logos/demo-basic.svg")
    );
    assert!(basic.get("client_secret").is_none());
    // A TWO_STEP integration whose settings preset an integration_config field names it; the
    // others carry no such member (as Nango's listing).
    let data = resp.json["data"].as_array().unwrap();
    let preset: Vec<(&str, &serde_json::Value)> = data
        .iter()
        .filter_map(|i| {
            Some((
                i["unique_key"].as_str()?,
                i.get("preconfigured_credentials")?,
            ))
        })
        .collect();
    assert_eq!(preset, [("demo-partner-api", &json!(["clientId"]))]);
    assert!(
        resp.json.to_string().find("demo-client-secret").is_none(),
        "secrets never leave"
    );

    let token = app
        .session(json!({"tags": {}, "allowed_integrations": ["demo-basic", "unauthenticated"]}))
        .await;
    let resp = app
        .call(
            "GET",
            "/integrations",
            Some(&format!("Bearer {token}")),
            None,
        )
        .await;
    let keys: Vec<&str> = resp.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["unique_key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["demo-basic", "unauthenticated"]);

    app.secret("GET", "/integrations?x=1", None)
        .await
        .assert(400, "invalid_query_params");
    app.call("GET", "/integrations", None, None)
        .await
        .assert(401, "missing_auth_header");
    let bad = format!("Bearer nango_connect_session_{}", "0".repeat(64));
    app.call("GET", "/integrations", Some(&bad), None)
        .await
        .assert(401, "unknown_connect_session_token");
}

#[tokio::test]
async fn providers_serve_resolved_entries() {
    let app = TestApp::new().await;
    let token = app.session(json!({"tags": {}})).await;
    let bearer = format!("Bearer {token}");
    let resp = app
        .call("GET", "/providers/demo-api-key", Some(&bearer), None)
        .await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let data = &resp.json["data"];
    assert_eq!(data["name"], "demo-api-key");
    assert_eq!(data["auth_mode"], "API_KEY");
    assert_eq!(data["connection_config"]["subdomain"]["prefix"], "https://");
    assert!(
        data["logo_url"]
            .as_str()
            .unwrap()
            .ends_with("demo-api-key.svg")
    );

    // The alias inherits what it does not override.
    let resp = app.secret("GET", "/providers/demo-api-key-eu", None).await;
    let data = &resp.json["data"];
    assert_eq!(data["auth_mode"], "API_KEY");
    assert_eq!(data["credentials"]["apiKey"]["secret"], json!(true));
    assert_eq!(
        data["proxy"]["base_url"],
        "https://${connectionConfig.subdomain}.eu.example.com/api"
    );
    assert!(data.get("alias").is_none());

    app.secret("GET", "/providers/nope", None)
        .await
        .assert(404, "not_found");
    app.secret("GET", "/providers/a.b", None)
        .await
        .assert(400, "invalid_uri_params");
    app.secret("GET", "/providers/demo-basic?x=1", None)
        .await
        .assert(400, "invalid_query_params");

    let resp = app.secret("GET", "/providers", None).await;
    assert_eq!(resp.json["data"].as_array().unwrap().len(), 17);
    let resp = app
        .call("GET", "/providers?search=HELPDESK", Some(&bearer), None)
        .await;
    let names: Vec<&str> = resp.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["demo-basic"]);
    app.secret("GET", "/providers?q=1", None)
        .await
        .assert(400, "invalid_query_params");
}

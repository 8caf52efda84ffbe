//! GET /connections and GET/PATCH/DELETE /connections/:id (spec §6.2–6.6).

use serde_json::{Value, json};

use crate::support::{TestApp, cp, is_timestamp};

/// The connection ids of a 200 GET /connections answer.
#[track_caller]
fn ids(resp: &crate::support::Resp) -> Vec<String> {
    assert_eq!(resp.status, 200, "{}", resp.json);
    resp.json["connections"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|c| c["connection_id"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn list_filters_by_tags_integrations_ids_and_search() {
    let app = TestApp::new().await;
    let a = app
        .tagged_connection(json!({"team": "red", "env": "Prod"}))
        .await;
    let b = app
        .tagged_connection(json!({"team": "red", "env": "prod"}))
        .await;
    let c = app
        .api_key_connection(json!({"end_user": {"id": "u1", "email": "Zed@Mail.io", "display_name": "Zed"}, "tags": {"team": "blue"}}), "acme")
        .await;
    let list = |query: &str| {
        let app = &app;
        let uri = format!("/connections{query}");
        async move { app.secret("GET", &uri, None).await }
    };
    // Newest first.
    assert_eq!(ids(&list("").await), [c.as_str(), b.as_str(), a.as_str()]);
    assert_eq!(
        ids(&list("?tags[team]=red").await),
        [b.as_str(), a.as_str()]
    );
    assert_eq!(
        ids(&list("?tags[TEAM]=red&tags[env]=Prod").await),
        [a.as_str()],
        "keys lowercased, values exact"
    );
    assert_eq!(ids(&list("?tags%5Bteam%5D=blue").await), [c.as_str()]);
    assert_eq!(ids(&list("?tags[team]=green").await), Vec::<String>::new());
    assert_eq!(
        ids(&list("?integrationId=demo-api-key").await),
        [c.as_str()]
    );
    assert_eq!(
        ids(&list("?integrationId=unauthenticated,%20demo-api-key").await).len(),
        3
    );
    assert_eq!(
        ids(&list(&format!("?connectionId={a}")).await),
        [a.as_str()]
    );
    assert_eq!(
        ids(&list("?search=zed%40mail").await),
        [c.as_str()],
        "end-user email, any case"
    );
    assert_eq!(
        ids(&list(&format!("?search={}", &b[..8])).await),
        [b.as_str()]
    );
    assert_eq!(
        ids(&list("?search=%25").await),
        Vec::<String>::new(),
        "% is literal"
    );
    assert_eq!(ids(&list("?endUserId=u1").await), [c.as_str()]);
    let many = format!("?integrationId={}unauthenticated", ",".repeat(60_000));
    assert_eq!(
        ids(&list(&many).await).len(),
        2,
        "a long list is one parameter"
    );
    assert_eq!(ids(&list("?limit=2").await), [c.as_str(), b.as_str()]);
    assert_eq!(ids(&list("?limit=2&page=1").await), [a.as_str()]);
    assert_eq!(
        ids(&list("?limit=1.6&page=0").await).len(),
        2,
        "fractions round"
    );

    let resp = list("?tags[team]=blue").await;
    let item = &resp.json["connections"][0];
    assert_eq!(item["provider_config_key"], "demo-api-key");
    assert_eq!(item["provider"], "demo-api-key");
    assert_eq!(item["errors"], json!([]));
    assert_eq!(item["metadata"], Value::Null);
    assert_eq!(item["end_user"]["email"], "Zed@Mail.io");
    assert!(item["id"].is_i64());
    assert!(item.get("credentials").is_none() && item.get("connection_config").is_none());
    let created = item["created"].as_str().unwrap();
    assert!(is_timestamp(created, 0..=6, "+00:00"), "{created}");
}

/// A multi-tag filter drives from its rarest tag (store/sqlite.rs); whichever tag drives, the
/// answer is the same set in the same order (newest first), pages included, and re-tagging a
/// connection does not move it.
#[tokio::test]
async fn tag_filters_keep_list_order_whichever_tag_is_rarest() {
    let app = TestApp::new().await;
    let mut made = Vec::new();
    for i in 0..6 {
        let shade = if i % 2 == 0 { "even" } else { "odd" };
        let tags = json!({"plan": "pro", "shade": shade, "n": i.to_string()});
        made.push(app.tagged_connection(tags).await);
    }
    let newest_first = |picked: &[usize]| -> Vec<String> {
        picked.iter().rev().map(|&i| made[i].clone()).collect()
    };
    let list = |query: &str| {
        let app = &app;
        let uri = format!("/connections?{query}");
        async move { ids(&app.secret("GET", &uri, None).await) }
    };
    let even = newest_first(&[0, 2, 4]);
    assert_eq!(list("tags[plan]=pro&tags[shade]=even").await, even);
    assert_eq!(list("tags[shade]=even&tags[plan]=pro").await, even);
    assert_eq!(list("tags[n]=3&tags[plan]=pro").await, newest_first(&[3]));
    assert_eq!(
        list("tags[plan]=pro&tags[n]=3&tags[shade]=even").await,
        Vec::<String>::new()
    );
    assert_eq!(
        list("tags[plan]=pro&tags[shade]=odd&limit=2").await,
        newest_first(&[3, 5])
    );
    assert_eq!(
        list("tags[plan]=pro&tags[shade]=odd&limit=2&page=1").await,
        newest_first(&[1])
    );

    // Re-tag the oldest even connection: it keeps its place (created_at does not change).
    let uri = format!(
        "/connections/{}?provider_config_key=unauthenticated",
        made[0]
    );
    let tags = json!({"tags": {"plan": "pro", "shade": "even", "n": "0", "extra": "x"}});
    assert_eq!(app.secret("PATCH", &uri, Some(&tags)).await.status, 200);
    assert_eq!(list("tags[shade]=even&tags[plan]=pro").await, even);
    assert_eq!(
        list("tags[extra]=x&tags[plan]=pro").await,
        newest_first(&[0])
    );
}

#[tokio::test]
async fn list_query_errors() {
    let app = TestApp::new().await;
    let check = |query: &str, errors: Vec<(String, Vec<String>)>| {
        let app = &app;
        let uri = format!("/connections?{query}");
        async move {
            let resp = app.secret("GET", &uri, None).await;
            resp.assert(400, "invalid_query_params");
            assert_eq!(resp.errors(), errors, "{uri}");
            resp
        }
    };
    check("limit=0", vec![cp("too_small", &["limit"])]).await;
    check("limit=2001", vec![cp("too_big", &["limit"])]).await;
    check("limit=abc", vec![cp("invalid_type", &["limit"])]).await;
    check("page=-1", vec![cp("too_small", &["page"])]).await;
    check("connectionId=", vec![cp("too_small", &["connectionId"])]).await;
    check("search=a&search=b", vec![cp("invalid_type", &["search"])]).await;
    check("foo=1&bar=2", vec![cp("unrecognized_keys", &[])]).await;
    check("tags[a]=", vec![cp("too_small", &["tags", "a"])]).await;
    let resp = check(
        "tags[a]=1&tags[a]=2",
        vec![cp("invalid_type", &["tags", "a"])],
    )
    .await;
    assert_eq!(
        resp.issues(),
        [cp("tag_filter_key_repeated", &["tags", "a"])]
    );
    // connkit is stricter than Nango here: a part qs would drop silently.
    let resp = app
        .secret("GET", "/connections?tags[constructor]=x", None)
        .await;
    resp.assert(400, "invalid_query_params");
    assert_eq!(
        resp.issues(),
        [cp("tag_filter_param_ignored", &["tags", "constructor"])]
    );
    assert_eq!(
        app.secret("GET", "/connections?limit=2000&page=3", None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn get_shows_a_connection_without_refresh_tokens() {
    let app = TestApp::new().await;
    let token = app.session(json!({"tags": {"k": "v"}})).await;
    let resp = app
        .auth(
            "/api-auth/api-key/demo-api-key",
            &token,
            "&params[subdomain]=acme&params[refresh_token]=r",
            Some(&json!({"apiKey": "k"})),
        )
        .await;
    let id = resp.json["connectionId"].as_str().unwrap().to_owned();
    let resp = app.connection("demo-api-key", &id).await;
    assert_eq!(resp.status, 200, "{}", resp.json);
    let body = &resp.json;
    assert_eq!(body["connection_id"], id.as_str());
    assert_eq!(body["connection_config"], json!({"subdomain": "acme"}));
    assert_eq!(body["webhook_url_override"], Value::Null);
    assert_eq!(body["errors"], json!([]));
    for field in ["created_at", "updated_at", "last_fetched_at"] {
        let text = body[field].as_str().unwrap_or("");
        assert!(is_timestamp(text, 3..=3, "+00:00"), "{field}: {text}");
    }
    let uri = format!(
        "/connections/{id}?provider_config_key=demo-api-key&refresh_token=TRUE&force_refresh=false"
    );
    let resp = app.secret("GET", &uri, None).await;
    assert_eq!(resp.json["connection_config"]["refresh_token"], "r");
}

#[tokio::test]
async fn get_errors_in_nangos_order() {
    let app = TestApp::new().await;
    let id = app.tagged_connection(json!({})).await;
    let get = |uri: String| {
        let app = &app;
        async move { app.secret("GET", &uri, None).await }
    };
    let resp = get(format!("/connections/{id}")).await;
    resp.assert(400, "invalid_query_params");
    assert_eq!(
        resp.errors(),
        [cp("invalid_type", &["provider_config_key"])]
    );
    let resp = get(format!(
        "/connections/{id}?provider_config_key=unauthenticated&force_refresh=maybe"
    ))
    .await;
    assert_eq!(resp.errors(), [cp("invalid_value", &["force_refresh"])]);
    let resp = get(format!(
        "/connections/{id}?provider_config_key=unauthenticated&x=1"
    ))
    .await;
    assert_eq!(resp.errors(), [cp("unrecognized_keys", &[])]);
    let resp = get(format!("/connections/{id}?provider_config_key=a%2Fb")).await;
    assert_eq!(
        resp.issues(),
        [cp("integration_key_invalid", &["provider_config_key"])]
    );
    // Query errors come before path errors.
    get("/connections/%C3%A9".to_owned())
        .await
        .assert(400, "invalid_query_params");
    let resp = get("/connections/%C3%A9?provider_config_key=unauthenticated".to_owned()).await;
    resp.assert(400, "invalid_uri_params");
    assert_eq!(
        resp.issues(),
        [cp("connection_id_invalid", &["connectionId"])]
    );
    get(format!("/connections/{id}?provider_config_key=nope"))
        .await
        .assert(400, "unknown_provider_config");
    get("/connections/other?provider_config_key=unauthenticated".to_owned())
        .await
        .assert(404, "not_found");
    get("/connections/metadata?provider_config_key=unauthenticated".to_owned())
        .await
        .assert(404, "not_found");
}

#[tokio::test]
async fn patch_replaces_tags_and_the_webhook_override() {
    let app = TestApp::new().await;
    let id = app
        .tagged_connection(json!({"old": "1", "keep": "2"}))
        .await;
    let uri = format!("/connections/{id}?provider_config_key=unauthenticated");
    let patch = |body: Value| {
        let app = &app;
        let uri = uri.clone();
        async move { app.secret("PATCH", &uri, Some(&body)).await }
    };
    let resp = patch(json!({"tags": {"New": "3"}})).await;
    assert_eq!((resp.status, &resp.json), (200, &json!({"success": true})));
    assert_eq!(
        app.connection("unauthenticated", &id).await.json["tags"],
        json!({"new": "3"})
    );
    assert_eq!(
        ids(&app.secret("GET", "/connections?tags[new]=3", None).await),
        [id.as_str()]
    );
    assert!(ids(&app.secret("GET", "/connections?tags[old]=1", None).await).is_empty());

    // end_user alone: the tags become the generated ones only.
    assert_eq!(
        patch(json!({"end_user": {"id": "eu", "email": "e@x.io"}}))
            .await
            .status,
        200
    );
    let conn = app.connection("unauthenticated", &id).await;
    assert_eq!(
        conn.json["tags"],
        json!({"end_user_id": "eu", "end_user_email": "e@x.io"})
    );
    assert_eq!(conn.json["end_user"]["id"], "eu");

    assert_eq!(
        patch(json!({"webhook_url_override": "https://hooks.example/a"}))
            .await
            .status,
        200
    );
    let conn = app.connection("unauthenticated", &id).await;
    assert_eq!(conn.json["webhook_url_override"], "https://hooks.example/a");
    assert_eq!(patch(json!({})).await.status, 200);
    assert_eq!(
        app.connection("unauthenticated", &id).await.json["webhook_url_override"],
        "https://hooks.example/a"
    );
    assert_eq!(patch(json!({"webhook_url_override": ""})).await.status, 200);
    assert_eq!(
        app.connection("unauthenticated", &id).await.json["webhook_url_override"],
        Value::Null
    );
}

#[tokio::test]
async fn patch_errors() {
    let app = TestApp::new().await;
    let id = app.tagged_connection(json!({})).await;
    let uri = format!("/connections/{id}?provider_config_key=unauthenticated");
    let resp = app
        .secret("PATCH", &uri, Some(&json!({"tags": {"1a": "x"}})))
        .await;
    resp.assert(400, "invalid_body");
    assert_eq!(resp.errors(), [cp("invalid_key", &["tags", "1a"])]);
    assert_eq!(resp.issues(), [cp("tag_key_invalid", &["tags", "1a"])]);
    let resp = app
        .secret("PATCH", &uri, Some(&json!({"metadata": {}})))
        .await;
    assert_eq!(resp.errors(), [cp("unrecognized_keys", &[])]);
    let resp = app
        .secret(
            "PATCH",
            &uri,
            Some(&json!({"webhook_url_override": "not a url"})),
        )
        .await;
    resp.assert(400, "invalid_body");
    let resp = app
        .secret("PATCH", &uri, Some(&json!({"end_user": {}})))
        .await;
    assert_eq!(resp.issues(), [cp("value_required", &["end_user", "id"])]);
    app.secret("PATCH", &format!("/connections/{id}"), Some(&json!({})))
        .await
        .assert(400, "invalid_query_params");
    app.secret(
        "PATCH",
        &format!("/connections/{id}?provider_config_key=nope"),
        Some(&json!({})),
    )
    .await
    .assert(400, "unknown_provider_config");
    app.secret(
        "PATCH",
        "/connections/gone?provider_config_key=unauthenticated",
        Some(&json!({})),
    )
    .await
    .assert(404, "not_found");
    let resp = app
        .secret("PATCH", &uri, Some(&json!({"tags": {"a": "1"}, "end_user": {"id": "u", "email": "u@x.io", "display_name": "U", "tags": {}}})))
        .await;
    assert_eq!(resp.status, 200, "{}", resp.json);
}

#[tokio::test]
async fn delete_removes_the_connection_and_its_tags() {
    let app = TestApp::new().await;
    let id = app.tagged_connection(json!({"gone": "yes"})).await;
    let uri = format!("/connections/{id}?provider_config_key=unauthenticated");
    let resp = app.secret("DELETE", &uri, None).await;
    assert_eq!((resp.status, &resp.json), (200, &json!({"success": true})));
    app.secret("DELETE", &uri, None)
        .await
        .assert(400, "unknown_connection");
    app.connection("unauthenticated", &id)
        .await
        .assert(404, "not_found");
    assert!(ids(&app.secret("GET", "/connections?tags[gone]=yes", None).await).is_empty());
    // Path first, then query.
    app.secret("DELETE", "/connections/%C3%A9", None)
        .await
        .assert(400, "invalid_uri_params");
    app.secret("DELETE", &format!("/connections/{id}"), None)
        .await
        .assert(400, "invalid_query_params");
    app.secret(
        "DELETE",
        "/connections/metadata?provider_config_key=unauthenticated",
        None,
    )
    .await
    .assert(400, "unknown_connection");
}

//! POST and PATCH /connections/metadata (spec §6.5).

use serde_json::{Value, json};

use crate::support::{TestApp, cp};

#[tokio::test]
async fn set_replaces_and_update_merges_shallowly() {
    let app = TestApp::new().await;
    let a = app.tagged_connection(json!({})).await;
    let b = app.tagged_connection(json!({})).await;
    let body = json!({"connection_id": [a, b], "provider_config_key": "unauthenticated",
                      "metadata": {"plan": "pro", "nested": {"x": 1}}});
    let resp = app
        .secret("POST", "/connections/metadata", Some(&body))
        .await;
    assert_eq!((resp.status, &resp.json), (201, &body), "echo");
    let patch = json!({"connection_id": a, "provider_config_key": "unauthenticated",
                       "metadata": {"nested": {"y": 2}, "plan": null, "seats": 3}});
    let resp = app
        .secret("PATCH", "/connections/metadata", Some(&patch))
        .await;
    assert_eq!((resp.status, &resp.json), (200, &patch));
    assert_eq!(
        app.connection("unauthenticated", &a).await.json["metadata"],
        json!({"plan": null, "nested": {"y": 2}, "seats": 3})
    );
    assert_eq!(
        app.connection("unauthenticated", &b).await.json["metadata"],
        json!({"plan": "pro", "nested": {"x": 1}})
    );
    let list = app.secret("GET", "/connections", None).await;
    assert!(
        list.json["connections"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["metadata"].is_object())
    );
    let set = json!({"connection_id": a, "provider_config_key": "unauthenticated", "metadata": {"only": true}});
    app.secret("POST", "/connections/metadata", Some(&set))
        .await;
    assert_eq!(
        app.connection("unauthenticated", &a).await.json["metadata"],
        json!({"only": true})
    );
    let empty =
        json!({"connection_id": [], "provider_config_key": "unauthenticated", "metadata": {}});
    assert_eq!(
        app.secret("POST", "/connections/metadata", Some(&empty))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn unknown_connections_write_nothing() {
    let app = TestApp::new().await;
    let a = app.tagged_connection(json!({})).await;
    let body = json!({"connection_id": [a, "ghost"], "provider_config_key": "unauthenticated", "metadata": {"m": 1}});
    for method in ["POST", "PATCH"] {
        let resp = app
            .secret(method, "/connections/metadata", Some(&body))
            .await;
        resp.assert(404, "unknown_connection");
    }
    assert_eq!(
        app.connection("unauthenticated", &a).await.json["metadata"],
        Value::Null
    );
    let one =
        json!({"connection_id": "ghost", "provider_config_key": "unauthenticated", "metadata": {}});
    app.secret("POST", "/connections/metadata", Some(&one))
        .await
        .assert(404, "unknown_connection");
}

#[tokio::test]
async fn bodies_and_sizes_are_cores() {
    let app = TestApp::new().await;
    let a = app.tagged_connection(json!({})).await;
    let resp = app
        .secret("POST", "/connections/metadata", Some(&json!({"connection_id": a, "provider_config_key": "unauthenticated", "metadata": []})))
        .await;
    resp.assert(400, "invalid_body");
    assert_eq!(resp.issues(), [cp("metadata_not_object", &["metadata"])]);
    let resp = app
        .secret("POST", "/connections/metadata", Some(&json!({"x": 1})))
        .await;
    resp.assert(400, "invalid_body");
    assert_eq!(
        resp.issues(),
        [
            cp("value_required", &["connection_id"]),
            cp("value_required", &["provider_config_key"]),
            cp("value_required", &["metadata"]),
            cp("key_unrecognized", &["x"]),
        ]
    );
    app.secret("POST", "/connections/metadata?x=1", Some(&json!({})))
        .await
        .assert(400, "invalid_query_params");

    // 600 KB set twice under two keys: each alone fits, the merge does not.
    let half = "x".repeat(600 * 1024);
    let set = json!({"connection_id": a, "provider_config_key": "unauthenticated", "metadata": {"a": half}});
    assert_eq!(
        app.secret("POST", "/connections/metadata", Some(&set))
            .await
            .status,
        201
    );
    let grow = json!({"connection_id": a, "provider_config_key": "unauthenticated", "metadata": {"b": half}});
    let resp = app
        .secret("PATCH", "/connections/metadata", Some(&grow))
        .await;
    resp.assert(400, "invalid_body");
    assert_eq!(resp.issues(), [cp("metadata_too_large", &["metadata"])]);
    let stored = app.connection("unauthenticated", &a).await;
    assert!(
        stored.json["metadata"].get("b").is_none(),
        "nothing written"
    );
}

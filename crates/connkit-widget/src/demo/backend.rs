//! The demo page's backend calls: connkit-server's `/demo/api/*` routes, which act with the
//! secret key on the page's behalf (a real app would do this in its own backend). Same origin,
//! JSON in and out; failures are the widget's [`ApiError`].
//!
//! Knows nothing about views.

use gloo_net::http::Request;
use serde_json::{Value, json};

use connkit_core::js::encode_uri_component;

use crate::api::{ApiError, json_ok};

const BASE: &str = "/demo/api";

/// `POST /demo/api/sessions` with these tags; the session token.
pub async fn create_session(tags: Value) -> Result<String, ApiError> {
    let request = Request::post(&format!("{BASE}/sessions"))
        .json(&json!({ "tags": tags }))
        .map_err(|_| ApiError::Invalid)?;
    let body = json_ok(request.send().await).await?;
    body["data"]["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or(ApiError::Invalid)
}

/// The received auth webhooks, newest first.
pub async fn webhooks() -> Result<Vec<Value>, ApiError> {
    let body = json_ok(Request::get(&format!("{BASE}/webhooks")).send().await).await?;
    Ok(body["webhooks"].as_array().cloned().unwrap_or_default())
}

/// `GET /connections?<query>` (a tag filter query string).
pub async fn connections(query: &str) -> Result<Vec<Value>, ApiError> {
    let url = format!("{BASE}/connections?{query}");
    let body = json_ok(Request::get(&url).send().await).await?;
    Ok(body["connections"].as_array().cloned().unwrap_or_default())
}

fn connection_url(id: &str, key: &str) -> String {
    format!(
        "{BASE}/connections/{}?provider_config_key={}",
        encode_uri_component(id),
        encode_uri_component(key)
    )
}

/// `GET /connections/:id`.
pub async fn connection(id: &str, key: &str) -> Result<Value, ApiError> {
    json_ok(Request::get(&connection_url(id, key)).send().await).await
}

/// `PATCH /connections/:id` with `{tags}` (the whole new set).
pub async fn patch_tags(id: &str, key: &str, tags: Value) -> Result<(), ApiError> {
    let request = Request::patch(&connection_url(id, key))
        .json(&json!({ "tags": tags }))
        .map_err(|_| ApiError::Invalid)?;
    json_ok(request.send().await).await.map(|_| ())
}

/// `POST` (replace) or `PATCH` (merge) `/connections/metadata`.
pub async fn save_metadata(
    id: &str,
    key: &str,
    metadata: Value,
    merge: bool,
) -> Result<(), ApiError> {
    let url = format!("{BASE}/connections/metadata");
    let builder = if merge {
        Request::patch(&url)
    } else {
        Request::post(&url)
    };
    let body = json!({ "connection_id": id, "provider_config_key": key, "metadata": metadata });
    let request = builder.json(&body).map_err(|_| ApiError::Invalid)?;
    json_ok(request.send().await).await.map(|_| ())
}

//! The browser demo's backend (`--demo`), what an app using connkit would run on its own server:
//! `POST /demo/api/sessions` creates a connect session (`/reconnect`: one that reconnects a
//! connection), a few `/demo/api/…` routes proxy the
//! connection calls the demo page makes, and `/demo/api/webhooks` is an inbox for auth webhooks.
//!
//! Every route here acts with the secret key on behalf of whoever calls it, so none exists
//! outside demo mode. Sessions and proxied calls are dispatched in process to the API router
//! itself, with `Authorization: Bearer <secret key>` put in place of the caller's: the same
//! handlers validate them and their answers come back unchanged. The inbox checks signatures
//! with `connkit_core::webhook::verify_hmac`, as `@nangohq/node`'s `verifyIncomingWebhookRequest`
//! does, and keeps the last [`INBOX_SIZE`] webhooks in memory.
//!
//! Knows nothing about what the proxied routes do, the store or the widget.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use connkit_core::webhook::{HMAC_HEADER, verify_hmac};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::body::read_bytes;
use crate::error::ApiError;
use crate::state::Settings;
use crate::timestamp;

/// Where the inbox listens; in demo mode without `--webhook-url`, webhooks go to
/// `<public url>` followed by this path.
pub(crate) const WEBHOOKS_PATH: &str = "/demo/api/webhooks";

/// How many webhooks the inbox keeps; older ones are dropped.
pub(crate) const INBOX_SIZE: usize = 100;

/// The prefix the proxies strip: `/demo/api/X` is dispatched as `/X`.
const PREFIX: &str = "/demo/api";

/// What the demo routes share.
#[derive(Debug, Clone)]
struct Demo {
    /// The API router the calls are dispatched to.
    api: Router,
    secret_key: String,
    webhook_secret: String,
    body_limit: usize,
    body_timeout: Duration,
    /// Received webhooks, newest first.
    inbox: Arc<Mutex<VecDeque<Value>>>,
}

/// The demo routes, dispatching to `api` (the API router without the demo routes).
pub(crate) fn router(api: Router, settings: &Settings) -> Router {
    let demo = Demo {
        api,
        secret_key: settings.secret_key.clone(),
        webhook_secret: settings.webhook_secret.clone(),
        body_limit: settings.body_limit,
        body_timeout: settings.body_timeout,
        inbox: Arc::new(Mutex::new(VecDeque::with_capacity(INBOX_SIZE))),
    };
    Router::new()
        .route("/demo/api/sessions", post(sessions_create))
        .route("/demo/api/sessions/reconnect", post(sessions_reconnect))
        .route("/demo/api/connections", get(proxy))
        .route(
            "/demo/api/connections/{connection_id}",
            get(proxy).patch(proxy).delete(proxy),
        )
        // GET and DELETE address the connection whose id is `metadata`, as on the API.
        .route(
            "/demo/api/connections/metadata",
            post(proxy).patch(proxy).get(proxy).delete(proxy),
        )
        .route("/demo/api/integrations", get(proxy))
        .route(WEBHOOKS_PATH, post(webhook_receive).get(webhooks_index))
        .with_state(demo)
}

/// `POST /demo/api/sessions` → `POST /connect/sessions`.
async fn sessions_create(State(demo): State<Demo>, request: Request) -> Response {
    forward(&demo, "/connect/sessions", request).await
}

/// `POST /demo/api/sessions/reconnect` → `POST /connect/sessions/reconnect`.
async fn sessions_reconnect(State(demo): State<Demo>, request: Request) -> Response {
    forward(&demo, "/connect/sessions/reconnect", request).await
}

/// `/demo/api/X` → `/X`, same method, query and body.
async fn proxy(State(demo): State<Demo>, request: Request) -> Response {
    let path = request.uri().path();
    let target = path.strip_prefix(PREFIX).unwrap_or(path).to_owned();
    forward(&demo, &target, request).await
}

/// Dispatches `request` to `path` on the API with the secret key, and answers what the API
/// answered. The inner request is built afresh (no extensions: the outer route's path
/// parameters must not reach the inner one).
async fn forward(demo: &Demo, path: &str, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let target = match parts.uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let Ok(uri) = target.parse::<Uri>() else {
        return ApiError::internal(format!("demo proxy: bad target URI {target:?}"))
            .into_response();
    };
    let Ok(bearer) = HeaderValue::try_from(format!("Bearer {}", demo.secret_key)) else {
        return ApiError::internal("demo proxy: the secret key is not a header value")
            .into_response();
    };
    let mut inner = Request::new(body);
    *inner.method_mut() = parts.method;
    *inner.uri_mut() = uri;
    *inner.version_mut() = parts.version;
    *inner.headers_mut() = parts.headers;
    inner.headers_mut().insert(AUTHORIZATION, bearer);
    let Ok(response) = demo.api.clone().oneshot(inner).await;
    response
}

/// `POST /demo/api/webhooks`: stores `{received_at, verified, body}` and answers `{"ok":true}`;
/// a body that is not JSON is a 400 `invalid_json` and is not stored.
async fn webhook_receive(
    State(demo): State<Demo>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let bytes = read_bytes(body, demo.body_limit, demo.body_timeout).await?;
    let value: Value =
        serde_json::from_slice(&bytes).map_err(|err| ApiError::Json(err.to_string()))?;
    let signature = headers.get(HMAC_HEADER).and_then(|v| v.to_str().ok());
    let verified = verify_hmac(&demo.webhook_secret, &bytes, signature).is_ok();
    if !verified {
        tracing::warn!("demo inbox: a webhook without a valid signature");
    }
    let entry = json!({
        "received_at": timestamp::iso_millis_z(timestamp::now()),
        "verified": verified,
        "body": value,
    });
    let mut inbox = demo.inbox.lock().unwrap_or_else(PoisonError::into_inner);
    inbox.push_front(entry);
    inbox.truncate(INBOX_SIZE);
    Ok(Json(json!({"ok": true})))
}

/// `GET /demo/api/webhooks`: `{"webhooks":[…]}`, newest first.
async fn webhooks_index(State(demo): State<Demo>) -> Json<Value> {
    let inbox = demo.inbox.lock().unwrap_or_else(PoisonError::into_inner);
    let webhooks: Vec<Value> = inbox.iter().cloned().collect();
    Json(json!({ "webhooks": webhooks }))
}

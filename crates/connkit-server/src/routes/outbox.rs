//! connkit's own operator routes for the webhook outbox (Nango has none): what did not reach
//! its receiver after every try, and a way to send it again. Secret key only.
//!
//! `GET /connkit/webhooks` answers `{"pending": N, "failed": [...]}`: how many webhooks wait for
//! delivery, and the newest [`LISTED`] failed ones, newest first, each with its id, URL
//! (without userinfo, query or fragment), body, tries, last error and times.
//! `POST /connkit/webhooks/retry` makes every failed webhook pending again, due now, with its
//! tries reset, and answers `{"requeued": N}`.
//!
//! Knows nothing about SQL or how deliveries are made.

use axum::extract::{RawQuery, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use connkit_core::request::{Query, check_empty_body, check_empty_query};
use serde_json::{Value, json};

use crate::body::JsonBody;
use crate::error::{ApiError, Part, RejectAs};
use crate::principal::SecretKey;
use crate::state::AppState;
use crate::{redact, timestamp};

/// How many failed webhooks the list shows.
const LISTED: u32 = 100;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/connkit/webhooks", get(webhooks_index))
        .route("/connkit/webhooks/retry", post(webhooks_retry))
}

async fn webhooks_index(
    State(state): State<AppState>,
    _: SecretKey,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    check_empty_query(&Query::parse(query.as_deref())).reject_as(Part::Query)?;
    let (failed, pending) = state.store().failed_webhooks(LISTED).await?;
    let failed: Vec<Value> = failed
        .into_iter()
        .map(|row| {
            let body = serde_json::from_str::<Value>(&row.body).unwrap_or(Value::String(row.body));
            json!({
                "id": row.id,
                "url": redact::url(&row.url),
                "body": body,
                "attempts": row.attempts,
                "last_error": row.last_error,
                "created_at": timestamp::iso_millis_z(row.created_at),
                "failed_at": timestamp::iso_millis_z(row.failed_at),
            })
        })
        .collect();
    Ok(Json(json!({"pending": pending, "failed": failed})))
}

async fn webhooks_retry(
    State(state): State<AppState>,
    _: SecretKey,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    check_empty_query(&Query::parse(query.as_deref())).reject_as(Part::Query)?;
    check_empty_body(body.as_ref()).reject_as(Part::Body)?;
    let requeued = state
        .store()
        .requeue_failed_webhooks(timestamp::now())
        .await?;
    state.webhooks().wake();
    Ok(Json(json!({"requeued": requeued})))
}

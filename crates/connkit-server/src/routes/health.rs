//! GET /health: 200 `{"status":"ok"}` when the server can do its work, else 503
//! `{"status":"unavailable"}`. No authentication, so process supervisors and test harnesses can
//! poll it; the body names no cause (the cause is logged).
//!
//! "Can do its work" is the store's health check (the database files are still the ones opened,
//! a read answers, a small write transaction commits), within [`HEALTH_TIMEOUT`].
//!
//! Knows nothing about the rest of the API.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use crate::state::AppState;

/// The longest a check may take before it counts as failed.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/health", get(health_show))
}

async fn health_show(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let failure = match tokio::time::timeout(HEALTH_TIMEOUT, state.store().health()).await {
        Ok(Ok(())) => return (StatusCode::OK, Json(json!({"status": "ok"}))),
        Ok(Err(err)) => err.to_string(),
        Err(_) => format!("no answer within {HEALTH_TIMEOUT:?}"),
    };
    tracing::error!("health check failed: {failure}");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({"status": "unavailable"})),
    )
}

//! connkit's redirect mode of the OAuth flow (spec §12.27), for pages that cannot open a popup:
//! the page itself goes to `GET /oauth/connect/:key?…&return_url=<url>`, through the provider,
//! and comes back to its return URL with the id of the flow's result.
//!
//! * [`return_to`]: the connect query's `return_url`, held by core to the allowed origins
//!   (`--oauth-return-origin`, and the server's own in demo mode); a refused one is never
//!   redirected to.
//! * [`back_with_result`]: keeps the flow's outcome (the WebSocket message it would have sent)
//!   for its session and answers 303 to the return URL with the result's id.
//! * `GET /oauth/result/:id`: that outcome, once, to a holder of the session's token; any other
//!   id, session, or a second read is 404 `unknown_oauth_result`.
//!
//! Knows nothing about the flow's steps (`routes/oauth.rs`) or where results are kept
//! (`oauth/results.rs`).

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, LOCATION, REFERRER_POLICY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use connkit_core::oauth2::FlowError;
use connkit_core::request::{Query, check_return_url, oauth_return_url, return_url_with_result};
use serde_json::Value;

use super::PathParam;
use crate::error::ApiError;
use crate::principal::SessionBearer;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/oauth/result/{id}", get(result))
}

/// The connect query's checked return URL: `Ok(None)` without one (the popup flow), the URL to
/// return to, or `return_url_err`.
pub(super) fn return_to(state: &AppState, query: &Query) -> Result<Option<String>, FlowError> {
    let Some(url) = oauth_return_url(query) else {
        return Ok(None);
    };
    check_return_url(&url, &state.settings().oauth_return_origins)
        .map(Some)
        .ok_or_else(FlowError::return_url_refused)
}

/// Keeps `message` for `session` and answers 303 to `href` (a checked return URL) with the
/// result's id. `session` is `None` when the flow failed before its session was known: its
/// result can never be read, and the page's read answers the session's own failure.
pub(super) fn back_with_result(
    state: &AppState,
    href: &str,
    session: Option<i64>,
    message: Value,
) -> Response {
    let id = state.oauth().results().put(session, message);
    let Ok(location) = HeaderValue::from_str(&return_url_with_result(href, &id)) else {
        return ApiError::internal("a return URL that is no header value").into_response();
    };
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(LOCATION, location);
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The callback's URL holds the code and the state: the return page must not see it.
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// `GET /oauth/result/:id`.
async fn result(
    State(state): State<AppState>,
    SessionBearer(session): SessionBearer,
    PathParam(id): PathParam,
) -> Response {
    match state.oauth().results().take(&id, session.id) {
        Some(message) => (
            StatusCode::OK,
            [(CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            Json(message),
        )
            .into_response(),
        None => ApiError::message(
            StatusCode::NOT_FOUND,
            "unknown_oauth_result",
            "No OAuth result with this id waits for this session.",
        )
        .into_response(),
    }
}

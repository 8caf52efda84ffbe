//! The HTTP API, one module per resource, each exposing `router()`; this module merges them and
//! holds the little they share.
//!
//! Knows nothing about storage details or the rules beyond calling core and the store.

use axum::Router;
use axum::extract::{FromRequestParts, Path};
use axum::http::StatusCode;
use axum::http::request::Parts;
use connkit_core::request::path_param_not_text;
use serde_json::{Map, Value};

use crate::error::{ApiError, Part};
use crate::state::AppState;

/// The Nango auth endpoints of the modes with a form: API_KEY, BASIC, NONE, OAUTH2_CC,
/// TWO_STEP, TBA, BILL, SIGNATURE, JWT, AWS_SIGV4 (spec §3.3, §3.4).
mod auth;
/// GET /connections, GET/PATCH/DELETE /connections/:id (spec §6.2–6.6).
mod connections;
/// GET /health.
mod health;
/// GET /integrations (spec §4.2).
mod integrations;
/// POST and PATCH /connections/metadata (spec §6.5).
mod metadata;
/// The OAuth 2 flow: GET /oauth/connect/:providerConfigKey, GET /oauth/callback (spec §3.5).
mod oauth;
/// The OAuth flow's redirect mode: the return URL, GET /oauth/result/:id (spec §12.27).
mod oauth_return;
/// Credentials obtained or made at connection time and on refresh (OAUTH2_CC, TWO_STEP, BILL,
/// TBA, SIGNATURE, JWT, AWS_SIGV4).
mod obtain;
/// GET /connkit/webhooks, POST /connkit/webhooks/retry: the webhook outbox, for operators.
mod outbox;
/// GET /providers, GET /providers/:provider (spec §4.2).
mod providers;
/// Refreshing OAuth credentials when GET /connections/:id reads them (spec §6.3).
mod refresh;
/// Connect sessions: POST /connect/sessions(/reconnect), GET and DELETE /connect/session (spec §2).
mod sessions;
/// The OAuth flow's WebSocket at `/` (spec §3.5), a middleware over every route.
pub(crate) mod ws;

/// Every route.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(sessions::router())
        .merge(integrations::router())
        .merge(providers::router())
        .merge(auth::router())
        .merge(connections::router())
        .merge(metadata::router())
        .merge(oauth::router())
        .merge(outbox::router())
}

/// A single path parameter; a malformed one is a 400 `invalid_uri_params`, not axum's text.
#[derive(Debug, Clone)]
pub(crate) struct PathParam(pub(crate) String);

impl FromRequestParts<AppState> for PathParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(PathParam(value)),
            Err(_) => Err(ApiError::rejected(Part::Uri, path_param_not_text())),
        }
    }
}

/// The logo URL Nango serves for a provider.
pub(crate) fn logo_url(state: &AppState, provider: &str) -> String {
    let base = state.settings().public_url.trim_end_matches('/');
    format!("{base}/images/template-logos/{provider}.svg")
}

/// 404 `{"error":{"code":"not_found","message":…}}`.
pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
    ApiError::message(StatusCode::NOT_FOUND, "not_found", message)
}

/// The end user record a connection keeps (Nango's end-user formatter): `{id, display_name,
/// email, tags, organization}` with `null` for what is missing; `None` without an end user.
pub(crate) fn end_user_record(
    end_user: Option<&Value>,
    organization: Option<&Value>,
) -> Option<Value> {
    let Value::Object(user) = end_user? else {
        return None;
    };
    let field = |map: &Map<String, Value>, key: &str| map.get(key).cloned().unwrap_or(Value::Null);
    let organization = match organization {
        Some(Value::Object(org)) => serde_json::json!({
            "id": field(org, "id"),
            "display_name": field(org, "display_name"),
        }),
        _ => Value::Null,
    };
    Some(serde_json::json!({
        "id": field(user, "id"),
        "display_name": field(user, "display_name"),
        "email": field(user, "email"),
        "tags": field(user, "tags"),
        "organization": organization,
    }))
}

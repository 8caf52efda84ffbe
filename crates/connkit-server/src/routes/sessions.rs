//! Connect sessions (spec §2): POST /connect/sessions and /connect/sessions/reconnect (secret
//! key), GET and DELETE /connect/session (the session's own token). A reconnect session's GET
//! also names the values its form starts with (`reconnect_connection_config`, spec §12.35).
//!
//! Queries and bodies are checked by `connkit_core::request` (the body rules are
//! `connkit_core::session`'s); this module checks what needs the server
//! (do the integrations exist, does the reconnect target exist), stores the session with a
//! hashed token, and writes Nango's JSON. It writes no rule of its own.
//!
//! A merged-tags overflow (generated end-user tags + explicit tags > 10) is a 400 `invalid_body`
//! by default: the client sent it, and it can fix it. Nango answers 500 `server_error`; the
//! `--nango-merged-tags-500` flag restores that.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use connkit_core::form;
use connkit_core::limits::SESSION_TTL_SECS;
use connkit_core::request::{
    Query, Rejection, check_connect_session_body, check_empty_body, check_empty_query,
    check_reconnect_session_body,
};
use connkit_core::session::{ConnectSessionRequest, EndUser, Organization};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::end_user_record;
use crate::body::JsonBody;
use crate::crypto::new_session_token;
use crate::error::{ApiError, Part, RejectAs};
use crate::principal::{SecretKey, SessionBearer};
use crate::state::AppState;
use crate::store::NewSession;
use crate::timestamp;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/connect/sessions", post(sessions_create))
        .route("/connect/sessions/reconnect", post(sessions_reconnect))
        .route("/connect/session", get(session_show).delete(session_delete))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Create,
    Reconnect,
}

async fn sessions_create(
    State(state): State<AppState>,
    _: SecretKey,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    check_empty_query(&Query::parse(query.as_deref())).reject_as(Part::Query)?;
    let request = validate(&state, body, Kind::Create)?;
    create(&state, &request, None).await
}

async fn sessions_reconnect(
    State(state): State<AppState>,
    _: SecretKey,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    check_empty_query(&Query::parse(query.as_deref())).reject_as(Part::Query)?;
    let request = validate(&state, body, Kind::Reconnect)?;
    let Some(target) = request.reconnect() else {
        return Err(ApiError::internal("a reconnect body without its target"));
    };
    let found = state
        .store()
        .find_connection(target.integration_id(), target.connection_id())
        .await?;
    let Some((connection, _)) = found else {
        return Err(ApiError::message(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "ConnectionID or IntegrationId does not exists",
        ));
    };
    create(&state, &request, Some(connection.id)).await
}

/// The body as core judges it (connkit's verdict and Nango's projection together); a
/// merged-tags overflow is answered as `--nango-merged-tags-500` asks.
fn validate(
    state: &AppState,
    body: Option<Value>,
    kind: Kind,
) -> Result<ConnectSessionRequest, ApiError> {
    let checked = match kind {
        Kind::Create => check_connect_session_body(body.as_ref()),
        Kind::Reconnect => check_reconnect_session_body(body.as_ref()),
    };
    checked.map_err(|rejection| overflow_as_configured(state, rejection))
}

fn overflow_as_configured(state: &AppState, rejection: Rejection) -> ApiError {
    if rejection.is_merged_tags_overflow() && state.settings().nango_merged_tags_500 {
        return ApiError::message(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "Failed to create connect session",
        );
    }
    ApiError::rejected(Part::Body, rejection)
}

async fn create(
    state: &AppState,
    request: &ConnectSessionRequest,
    reconnect_connection: Option<i64>,
) -> Result<Response, ApiError> {
    let integrations = state.integrations();
    let missing = request.nango_missing_integration_errors(|key| integrations.get(key).is_some());
    if !missing.is_empty() {
        return Err(ApiError::nango(Part::Body, missing));
    }
    if request.overrides_docs_connect() {
        return Err(ApiError::message(
            StatusCode::FORBIDDEN,
            "forbidden",
            "You are not allowed to override the docs connect url",
        ));
    }
    let now = timestamp::now();
    let token = new_session_token(now);
    let expires_at = now + i64::try_from(SESSION_TTL_SECS).unwrap_or(1800) * 1_000_000;
    let session = NewSession {
        token_key: state.store().keys().session_key(&token),
        created_at: now,
        expires_at,
        end_user: request.end_user().map(EndUser::to_json),
        organization: request.organization().map(Organization::to_json),
        allowed_integrations: request.allowed_integrations().map(<[String]>::to_vec),
        integrations_config_defaults: request.integrations_config_defaults_json(),
        overrides: request.overrides_json(),
        webhook_url_override: request.webhook_url_override().map(str::to_owned),
        tags: request.tags().clone(),
        reconnect_connection,
    };
    state.store().create_session(session).await?;
    let data = Created {
        connect_link: connect_link(&state.settings().connect_url, &token),
        expires_at: timestamp::iso_millis_z(expires_at),
        token,
    };
    created(&CreatedBody { data })
}

/// The answer of a new session, written straight from its fields (not through a `Value`), in
/// a header map made with room for what the layers add (content length, CORS `vary`, the
/// security headers): this is the busiest write of the API, and growing the map is a
/// `realloc`, which takes glibc's arena lock.
fn created(body: &CreatedBody) -> Result<Response, ApiError> {
    let mut json = Vec::with_capacity(384);
    serde_json::to_writer(&mut json, body)
        .map_err(|_| ApiError::internal("the new session's answer"))?;
    let mut headers = HeaderMap::with_capacity(12);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let mut response = Response::new(Body::from(json));
    *response.status_mut() = StatusCode::CREATED;
    *response.headers_mut() = headers;
    Ok(response)
}

#[derive(Serialize)]
struct CreatedBody {
    data: Created,
}

#[derive(Serialize)]
struct Created {
    token: String,
    connect_link: String,
    expires_at: String,
}

/// Nango's `connect_link`: the Connect UI URL without query or fragment, a trailing `/` forced,
/// then `?session_token=<token>`.
fn connect_link(base: &str, token: &str) -> String {
    const QUERY: &str = "?session_token=";
    let base = base.split(['?', '#']).next().unwrap_or(base);
    let mut link = String::with_capacity(base.len() + 1 + QUERY.len() + token.len());
    link.push_str(base);
    if !base.ends_with('/') {
        link.push('/');
    }
    link.push_str(QUERY);
    link.push_str(token);
    link
}

async fn session_show(
    State(state): State<AppState>,
    SessionBearer(session): SessionBearer,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    check_empty_query(&Query::parse(query.as_deref())).reject_as(Part::Query)?;
    // A reconnect session shows the end user linked to its connection (spec §2.4), and what of
    // its connection_config the form may start with (spec §12.35).
    let mut end_user = None;
    let mut reconnect_values = None;
    if let Some(id) = session.reconnect_connection
        && let Some(connection) = state.store().connection_by_row(id).await?
    {
        let provider = state
            .integrations()
            .get(&connection.provider_config_key)
            .and_then(|integration| state.catalogue().find(&integration.provider));
        reconnect_values =
            provider.map(|p| form::reconnect_values(p, &connection.connection_config));
        end_user = connection.end_user;
    }
    let end_user = end_user
        .or_else(|| end_user_record(session.end_user.as_ref(), session.organization.as_ref()))
        .unwrap_or(Value::Null);
    let mut data = Map::new();
    data.insert("endUser".into(), end_user);
    if let Some(allowed) = &session.allowed_integrations {
        data.insert("allowed_integrations".into(), allowed.clone().into());
    }
    if let Some(Value::Object(defaults)) = &session.integrations_config_defaults {
        let shown = defaults
            .iter()
            .map(|(key, entry)| {
                let mut out = Map::new();
                for part in ["connection_config", "authorization_params"] {
                    if let Some(value) = entry.get(part) {
                        out.insert(part.into(), value.clone());
                    }
                }
                (key.clone(), Value::Object(out))
            })
            .collect();
        data.insert("integrations_config_defaults".into(), Value::Object(shown));
    }
    if let Some(overrides) = &session.overrides {
        data.insert("overrides".into(), overrides.clone());
    }
    if session.reconnect_connection.is_some() {
        data.insert("isReconnecting".into(), Value::Bool(true));
        let values = reconnect_values.unwrap_or_default();
        data.insert("reconnect_connection_config".into(), Value::Object(values));
    }
    data.insert(
        "connectUISettings".into(),
        json!({
            "theme": {"light": {"primary": "#00B2E3"}, "dark": {"primary": "#00B2E3"}},
            "defaultTheme": "system",
            "showWatermark": true,
        }),
    );
    data.insert("websocketsPath".into(), "/".into());
    Ok(Json(json!({"data": data})))
}

async fn session_delete(
    State(state): State<AppState>,
    SessionBearer(session): SessionBearer,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody,
) -> Result<StatusCode, ApiError> {
    check_empty_query(&Query::parse(query.as_deref())).reject_as(Part::Query)?;
    check_empty_body(body.as_ref()).reject_as(Part::Body)?;
    state.store().delete_session(session.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_links_force_one_slash_and_drop_query() {
        assert_eq!(
            connect_link("http://localhost:3009", "t"),
            "http://localhost:3009/?session_token=t"
        );
        assert_eq!(
            connect_link("https://c.io/ui/?x=1#f", "t"),
            "https://c.io/ui/?session_token=t"
        );
    }
}

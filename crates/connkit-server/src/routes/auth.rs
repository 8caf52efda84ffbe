//! The auth endpoints @nangohq/frontend and Connect UI call for the providers whose form posts
//! credentials (spec §3.3, §3.4): `POST /api-auth/api-key/:key`, `POST /api-auth/basic/:key`,
//! `POST /auth/unauthenticated/:key`, `POST /oauth2/auth/:key` (OAUTH2_CC),
//! `POST /auth/two-step/:key`, `POST /auth/tba/:key`, `POST /auth/bill/:key`,
//! `POST /auth/signature/:key`, `POST /auth/jwt/:key` and `POST /auth/aws-sigv4/:key`, each
//! with
//! `?connect_session_token=…&params[…]=…`.
//!
//! The steps run in Nango's order: body (and the mode's own first check of it, `obtain.rs`),
//! query, path, session rules, integration, provider, auth mode, allowed integrations,
//! reconnect target, (opt-in) credential test or the mode obtaining its credentials from the
//! provider, write, webhook. A provider's refusal writes nothing. Session tags replace the
//! connection's tags (§1.7); re-auth resets metadata except for NONE and OAUTH2_CC; the
//! session's `connection_config` defaults override the end user's `params` (§2.7).
//! The webhook goes into the outbox in the connection write's own transaction, and is delivered
//! in the background, never awaited.
//!
//! Knows nothing about SQL; tags and the webhook payload are core's.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use connkit_core::request::{
    AuthEndpoint, Query, check_auth_body, check_auth_query, check_integration_key_param,
};
use connkit_core::session::AuthDefaults;
use connkit_core::tags::Tags;
use connkit_core::tags::validate_tags;
use connkit_core::webhook::{AuthWebhook, Operation, WebhookEndUser};
use serde_json::{Value, json};

use super::obtain::{mode_body, obtain};
use super::{PathParam, end_user_record};
use crate::body::JsonBody;
use crate::error::{ApiError, Part, RejectAs};
use crate::principal::SessionQuery;
use crate::state::AppState;
use crate::store::{AuthOutcome, AuthWebhookRows, AuthWrite, Session};
use crate::webhook::Webhooks;
use crate::{timestamp, verify};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api-auth/api-key/{key}", post(api_key_create))
        .route("/api-auth/basic/{key}", post(basic_create))
        .route("/auth/unauthenticated/{key}", post(unauthenticated_create))
        .route("/oauth2/auth/{key}", post(client_credentials_create))
        .route("/auth/two-step/{key}", post(two_step_create))
        .route("/auth/tba/{key}", post(tba_create))
        .route("/auth/bill/{key}", post(bill_create))
        .route("/auth/signature/{key}", post(signature_create))
        .route("/auth/jwt/{key}", post(jwt_create))
        .route("/auth/aws-sigv4/{key}", post(aws_create))
}

async fn aws_create(
    state: State<AppState>,
    session: SessionQuery,
    key: PathParam,
    query: RawQuery,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    authorize(state, session, key, query, body, AuthEndpoint::AwsSigV4).await
}

async fn jwt_create(
    state: State<AppState>,
    session: SessionQuery,
    key: PathParam,
    query: RawQuery,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    authorize(state, session, key, query, body, AuthEndpoint::Jwt).await
}

async fn tba_create(
    state: State<AppState>,
    session: SessionQuery,
    key: PathParam,
    query: RawQuery,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    authorize(state, session, key, query, body, AuthEndpoint::Tba).await
}

async fn bill_create(
    state: State<AppState>,
    session: SessionQuery,
    key: PathParam,
    query: RawQuery,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    authorize(state, session, key, query, body, AuthEndpoint::Bill).await
}

async fn signature_create(
    state: State<AppState>,
    session: SessionQuery,
    key: PathParam,
    query: RawQuery,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    authorize(state, session, key, query, body, AuthEndpoint::Signature).await
}

async fn two_step_create(
    state: State<AppState>,
    session: SessionQuery,
    key: PathParam,
    query: RawQuery,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    authorize(state, session, key, query, body, AuthEndpoint::TwoStep).await
}

async fn client_credentials_create(
    state: State<AppState>,
    session: SessionQuery,
    key: PathParam,
    query: RawQuery,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    authorize(state, session, key, query, body, AuthEndpoint::OAuth2Cc).await
}

async fn api_key_create(
    state: State<AppState>,
    session: SessionQuery,
    key: PathParam,
    query: RawQuery,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    authorize(state, session, key, query, body, AuthEndpoint::ApiKey).await
}

async fn basic_create(
    state: State<AppState>,
    session: SessionQuery,
    key: PathParam,
    query: RawQuery,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    authorize(state, session, key, query, body, AuthEndpoint::Basic).await
}

async fn unauthenticated_create(
    state: State<AppState>,
    session: SessionQuery,
    key: PathParam,
    query: RawQuery,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    authorize(
        state,
        session,
        key,
        query,
        body,
        AuthEndpoint::Unauthenticated,
    )
    .await
}

fn bad_request(code: &'static str) -> ApiError {
    ApiError::code(StatusCode::BAD_REQUEST, code)
}

async fn authorize(
    State(state): State<AppState>,
    SessionQuery(session): SessionQuery,
    PathParam(key): PathParam,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody,
    endpoint: AuthEndpoint,
) -> Result<Json<Value>, ApiError> {
    // Steps 1–4: body, query, path, and no connection_id next to a session token.
    let mut credentials = check_auth_body(endpoint, body.as_ref()).reject_as(Part::Body)?;
    let mode = mode_body(endpoint, &credentials)?;
    let query = check_auth_query(&Query::parse(query.as_deref())).reject_as(Part::Query)?;
    check_integration_key_param(&key).reject_as(Part::Uri)?;
    query.check_with_session_token().reject_as(Part::Query)?;
    // Steps 6–10: integration, provider, auth mode, allow-list, reconnect target.
    let integration = state.integrations().get(&key).ok_or(ApiError::code(
        StatusCode::NOT_FOUND,
        "unknown_provider_config",
    ))?;
    let provider = state
        .catalogue()
        .find(&integration.provider)
        .ok_or(ApiError::code(
            StatusCode::NOT_FOUND,
            "unknown_provider_template",
        ))?;
    let expected = endpoint.auth_mode();
    if *provider.auth_mode() != expected {
        return Err(bad_request("invalid_auth_mode"));
    }
    if let Some(allowed) = &session.allowed_integrations
        && !allowed.contains(&key)
    {
        return Err(bad_request("integration_not_allowed"));
    }
    let target = match session.reconnect_connection {
        None => None,
        Some(id) => Some(
            state
                .store()
                .connection_by_row(id)
                .await?
                .ok_or_else(|| bad_request("invalid_connection"))?,
        ),
    };
    let mut connection_config =
        AuthDefaults::of(session.integrations_config_defaults.as_ref(), &key)
            .connection_config(query.into_params());
    // Step 11: the credential test, only when asked for, or the credentials obtained from the
    // provider.
    if state.settings().verify_credentials && endpoint.takes_credentials() {
        verify::check(&state, provider, &connection_config, &credentials).await?;
    }
    if let Some(mode) = mode {
        let previous = target.as_ref().map(|row| &row.connection_config);
        let obtained = obtain(
            &state,
            provider,
            integration,
            mode,
            connection_config,
            previous,
        )
        .await?;
        credentials = obtained.credentials;
        connection_config = obtained.connection_config;
    }
    // Step 12: write, with the webhook of step 14 queued in the same transaction.
    let tags = validate_tags(&Value::Object(session.tags.clone()))
        .map_err(|err| ApiError::internal(format!("stored session tags: {err}")))?;
    let connection_id = match &target {
        Some(row) => row.connection_id.clone(),
        None => uuid::Uuid::new_v4().to_string(),
    };
    let webhook = auth_webhook_rows(
        &state,
        &session,
        session.webhook_url_override.as_deref(),
        &WebhookConnection {
            connection_id: &connection_id,
            provider_config_key: &key,
            provider: &integration.provider,
            auth_mode: expected.as_str(),
        },
        &tags,
    );
    let queued = webhook.is_some();
    let write = AuthWrite {
        reconnect_connection: target.as_ref().map(|row| row.id),
        connection_id,
        provider_config_key: key.clone(),
        provider: integration.provider.clone(),
        auth_mode: expected.as_str().to_owned(),
        credentials,
        connection_config,
        tags: tags.clone(),
        end_user: end_user_record(session.end_user.as_ref(), session.organization.as_ref()),
        webhook_url_override: session.webhook_url_override.clone(),
        reset_metadata: endpoint.resets_metadata(),
        webhook,
        now: timestamp::now(),
    };
    let (outcome, row) = state.store().write_auth(&write).await?;
    let row = match (outcome, row) {
        (AuthOutcome::TargetMissing, _) | (_, None) => {
            return Err(bad_request("invalid_connection"));
        }
        (_, Some(row)) => row,
    };
    // Step 14: the webhook, queued with the write, goes out in the background.
    if queued {
        state.webhooks().wake();
    }
    Ok(Json(json!({
        "connectionId": row.connection_id,
        "providerConfigKey": row.provider_config_key,
    })))
}

/// What an auth webhook says about its connection.
pub(super) struct WebhookConnection<'a> {
    pub(super) connection_id: &'a str,
    pub(super) provider_config_key: &'a str,
    pub(super) provider: &'a str,
    pub(super) auth_mode: &'a str,
}

/// The outbox rows of the auth webhook of a connection written through `session`, one for each
/// outcome of the write (a new connection is a `creation`, a re-authorised one an `override`),
/// to `url_override`, else `--webhook-url`; `None` when neither is set.
pub(super) fn auth_webhook_rows(
    state: &AppState,
    session: &Session,
    url_override: Option<&str>,
    connection: &WebhookConnection<'_>,
    tags: &Tags,
) -> Option<AuthWebhookRows> {
    let settings = state.settings();
    let url = url_override.or(settings.webhook_url.as_deref())?;
    let text = |value: Option<&Value>, key: &str| {
        value
            .and_then(|v| v.get(key))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let end_user = session.end_user.as_ref().and_then(|user| {
        Some(WebhookEndUser {
            end_user_id: text(Some(user), "id")?,
            end_user_email: text(Some(user), "email"),
            organization_id: text(session.organization.as_ref(), "id"),
            tags: user.get("tags").and_then(Value::as_object).cloned(),
        })
    });
    let row = |operation| {
        let webhook = AuthWebhook {
            connection_id: connection.connection_id.to_owned(),
            provider_config_key: connection.provider_config_key.to_owned(),
            auth_mode: connection.auth_mode.to_owned(),
            provider: connection.provider.to_owned(),
            environment: settings.environment.clone(),
            operation,
            tags: Some(tags.clone()),
            end_user: end_user.clone(),
            error: None,
        };
        Webhooks::row(url, &webhook)
    };
    Some(AuthWebhookRows {
        created: row(Operation::Creation),
        overridden: row(Operation::Override),
    })
}

//! The OAuth 2 authorization-code flow's two routes (spec §3.3, §3.5), the ones the popup of
//! @nangohq/frontend (or the Connect widget) walks through:
//!
//! * `GET /oauth/connect/:providerConfigKey?connect_session_token=…&params[…]=…&ws_client_id=…`
//!   checks the session, the query, the integration and its provider in Nango's order, applies
//!   the session's defaults (§2.7), lets core check the connection_config and build the authorize
//!   URL, keeps the flow (its `state` and PKCE verifier) and redirects (302).
//! * `GET /oauth/callback?code&state` takes the flow back (a `state` works once, and expires),
//!   exchanges the code at the token endpoint, stores the credentials and the connection (with
//!   the session's tags and end user, overriding a reconnect session's connection), sends the
//!   auth webhook, tells the WebSocket client and answers the callback page.
//!
//! Every failure, before the redirect or after, reaches the client the same two ways: a
//! WebSocket `error` message with Nango's `error_type` when the flow names a `ws_client_id`,
//! and the callback page (postMessage and `BroadcastChannel`) with a 4xx status. Nango renders
//! its middleware's JSON errors raw in the popup and sends nothing over the WebSocket; connkit
//! reports those too, with the JSON's `code` as the `error_type` (spec §12). A redirect-mode
//! flow (a checked `return_url`, `oauth_return.rs`) answers its outcome, success or failure, with
//! a 303 back to its page instead of the callback page.
//!
//! Knows nothing about SQL, sockets or HTML: the store, `oauth/ws.rs` and `oauth/page.rs` do that.

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::header::{ACCEPT_LANGUAGE, CACHE_CONTROL, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use connkit_core::catalogue::AuthMode;
use connkit_core::interpolate::Generated;
use connkit_core::js::to_iso_string;
use connkit_core::oauth2::{
    AuthParam, AuthorizeRequest, CodeExchange, FlowError, OAuth2Client, OAuth2Provider,
    authorization_url, callback_code, callback_metadata, finish_connection, read_token_response,
    token_request, token_stage_config,
};
use connkit_core::request::{
    Query, check_integration_key_param, check_oauth_connect_query, oauth_ws_client_id,
    read_oauth_callback_query,
};
use connkit_core::session::AuthDefaults;
use connkit_core::tags::validate_tags;
use connkit_core::webhook::{AuthWebhook, Operation, WebhookError};
use serde_json::{Map, Value};

use super::auth::{WebhookConnection, auth_webhook_rows};
use super::oauth_return::{back_with_result, return_to};
use super::{PathParam, end_user_record};
use crate::crypto::random_hex;
use crate::error::{ApiError, Part, RejectAs};
use crate::oauth::page::{PageFlow, callback_page, page_language};
use crate::oauth::post_token;
use crate::oauth::ws::{error_message, success_message};
use crate::principal::SessionQuery;
use crate::state::AppState;
use crate::store::{AuthWrite, NewOAuthFlow, OAuthFlow};
use crate::timestamp;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth/connect/{key}", get(connect))
        .route("/oauth/callback", get(callback))
        .merge(super::oauth_return::router())
}

/// Where a failure is reported: the WebSocket client (if any), the return URL of a
/// redirect-mode flow (if any), else the callback page with the request's query.
struct Reporter<'a> {
    state: &'a AppState,
    ws_client_id: Option<String>,
    provider_config_key: Option<String>,
    connection_id: Option<String>,
    /// A redirect-mode flow's return URL, and the session its result is for.
    return_url: Option<String>,
    session: Option<i64>,
    query: Map<String, Value>,
    /// The callback page's language (the request's `Accept-Language`).
    lang: &'static str,
}

impl Reporter<'_> {
    /// Tells the WebSocket client, and answers a 303 to the return URL or the callback page
    /// with `status` (never a 5xx).
    async fn fail(&self, status: StatusCode, error: &FlowError) -> Response {
        let message = error_message(
            self.provider_config_key.as_deref(),
            self.connection_id.as_deref(),
            error,
        );
        if let Some(id) = &self.ws_client_id {
            self.state.oauth().sockets().publish(id, &message);
        }
        if let Some(href) = &self.return_url {
            return back_with_result(self.state, href, self.session, message).await;
        }
        let status = if status.is_client_error() {
            status
        } else {
            StatusCode::BAD_REQUEST
        };
        let flow = match (&self.provider_config_key, &self.connection_id) {
            (Some(key), Some(id)) => Some(PageFlow {
                provider_config_key: key,
                connection_id: id,
                ws_client_id: self.ws_client_id.as_deref(),
            }),
            _ => None,
        };
        callback_page(status, Err(error), flow, &self.query, self.lang)
    }

    /// A failure in Nango's 400 (its `notifyErr`).
    async fn flow(&self, error: &FlowError) -> Response {
        self.fail(StatusCode::BAD_REQUEST, error).await
    }

    /// An API error answered as Nango's JSON would have been: its status, its `code` as the
    /// error type, its message (or code) as the text.
    async fn api(&self, error: &ApiError) -> Response {
        let (status, code, message) = error.summary();
        let error = FlowError::new(code, message.unwrap_or_else(|| code.to_owned()));
        self.fail(status, &error).await
    }
}

async fn connect(
    State(state): State<AppState>,
    session: Result<SessionQuery, ApiError>,
    key: Result<PathParam, ApiError>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = Query::parse(raw.as_deref());
    // The WebSocket client is told even when the rest of the query is refused.
    let mut report = Reporter {
        state: &state,
        ws_client_id: oauth_ws_client_id(&query),
        provider_config_key: None,
        connection_id: None,
        return_url: None,
        session: None,
        query: Map::new(),
        lang: language_of(&headers),
    };
    // Checked first: every later failure returns there.
    report.return_url = match return_to(&state, &query) {
        Ok(url) => url,
        Err(err) => return report.flow(&err).await,
    };
    let session = match session {
        Ok(SessionQuery(session)) => session,
        Err(err) => return report.api(&err).await,
    };
    report.session = Some(session.id);
    let key = match key {
        Ok(PathParam(key)) => key,
        Err(err) => return report.api(&err).await,
    };
    report.provider_config_key = Some(key.clone());
    let checked = check_oauth_connect_query(&query)
        .reject_as(Part::Query)
        .and_then(|q| {
            check_integration_key_param(&key).reject_as(Part::Uri)?;
            q.auth().check_with_session_token().reject_as(Part::Query)?;
            Ok(q)
        });
    let query = match checked {
        Ok(query) => query,
        Err(err) => return report.api(&err).await,
    };
    let Some(integration) = state.integrations().get(&key) else {
        return report.flow(&FlowError::unknown_provider_config(&key)).await;
    };
    let Some(provider) = state.catalogue().find(&integration.provider) else {
        return report
            .flow(&FlowError::unknown_provider_template(&integration.provider))
            .await;
    };
    if let Some(allowed) = &session.allowed_integrations
        && !allowed.contains(&key)
    {
        return report
            .api(&ApiError::code(
                StatusCode::BAD_REQUEST,
                "integration_not_allowed",
            ))
            .await;
    }
    let connection_id = match session.reconnect_connection {
        None => uuid::Uuid::new_v4().to_string(),
        Some(id) => match state.store().connection_by_row(id).await {
            Ok(Some(row)) => row.connection_id,
            Ok(None) => {
                return report
                    .api(&ApiError::code(
                        StatusCode::BAD_REQUEST,
                        "invalid_connection",
                    ))
                    .await;
            }
            Err(err) => return report.api(&ApiError::from(err)).await,
        },
    };
    report.connection_id = Some(connection_id.clone());
    // The session's defaults win (spec §2.7); with a session, the query's `user_scope` is
    // ignored (Nango: `userScope = defaults?.user_scopes || undefined`).
    let defaults = AuthDefaults::of(session.integrations_config_defaults.as_ref(), &key);
    let user_scope = defaults.user_scopes().map(str::to_owned);
    let authorization_params = match defaults.authorization_params() {
        Some(params) => AuthParam::from_session(params),
        None => query.authorization_params().to_vec(),
    };
    let mut config = defaults.connection_config(query.auth().params().clone());
    if let Some(scope) = &user_scope {
        config.insert("user_scope".to_owned(), Value::from(scope.as_str()));
    }
    let over = query.apply_credentials(&mut config);
    let client_id = over.client_id.or_else(|| integration.client_id.clone());
    let client_secret = over
        .client_secret
        .or_else(|| integration.client_secret.clone());
    let (Some(client_id), Some(_)) = (client_id, client_secret) else {
        return report.flow(&FlowError::invalid_provider_config(&key)).await;
    };
    if *provider.auth_mode() != AuthMode::OAuth2 || provider.installation() == Some("outbound") {
        return report
            .flow(&FlowError::unknown_auth_mode(provider.auth_mode().as_str()))
            .await;
    }
    let Ok(oauth) = OAuth2Provider::from_provider(provider) else {
        return report.flow(&FlowError::unknown(None)).await;
    };
    let scopes = match defaults.oauth_scopes_override() {
        Some(scopes) => scopes.to_owned(),
        None => oauth.integration_scopes(&integration.scopes),
    };
    let now = timestamp::now();
    let (state_value, verifier) = (random_hex(32), random_hex(24));
    let random = uuid::Uuid::new_v4().to_string();
    let now_text = to_iso_string(now / 1000).unwrap_or_default();
    let redirect_uri = callback_url(&state);
    let request = AuthorizeRequest {
        client_id: &client_id,
        redirect_uri: &redirect_uri,
        scopes: &scopes,
        state: &state_value,
        code_verifier: &verifier,
        connection_config: &config,
        authorization_params: &authorization_params,
        user_scope: user_scope.as_deref(),
        generated: Generated {
            random: &random,
            now: &now_text,
        },
    };
    let url = match authorization_url(&oauth, &request, state.oauth().matcher()) {
        Ok(url) => url,
        Err(err) => {
            return report
                .flow(&FlowError::from_authorize(&oauth, &err, &config))
                .await;
        }
    };
    let ttl = i64::try_from(state.settings().oauth_flow_ttl.as_micros()).unwrap_or(i64::MAX);
    let flow = NewOAuthFlow {
        state: state_value,
        created_at: now,
        expires_at: now.saturating_add(ttl),
        connect_session: session.id,
        provider_config_key: key,
        provider: integration.provider.clone(),
        connection_id,
        ws_client_id: report.ws_client_id.clone(),
        webhook_url_override: session.webhook_url_override.clone(),
        code_verifier: verifier,
        connection_config: config,
        return_url: report.return_url.clone(),
    };
    if let Err(err) = state.store().create_oauth_flow(&flow).await {
        return report.api(&ApiError::from(err)).await;
    }
    redirect(&url)
}

/// `<public url>/oauth/callback`, the `redirect_uri` of every flow.
/// The callback page's language for a request: its `Accept-Language` header's.
fn language_of(headers: &HeaderMap) -> &'static str {
    let accept = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    page_language(accept)
}

fn callback_url(state: &AppState) -> String {
    let base = state.settings().public_url.trim_end_matches('/');
    format!("{base}/oauth/callback")
}

/// A 302 to `url`, as Express's `res.redirect` answers.
fn redirect(url: &str) -> Response {
    let Ok(location) = HeaderValue::from_str(url) else {
        return ApiError::internal("an authorize URL that is no header value").into_response();
    };
    let mut response = StatusCode::FOUND.into_response();
    response.headers_mut().insert(LOCATION, location);
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn callback(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let query = read_oauth_callback_query(&Query::parse(raw.as_deref()));
    let mut report = Reporter {
        state: &state,
        ws_client_id: None,
        provider_config_key: None,
        connection_id: None,
        return_url: None,
        session: None,
        query: query.params().clone(),
        lang: language_of(&headers),
    };
    let Some(flow_state) = query.state() else {
        return report.flow(&FlowError::missing_state()).await;
    };
    let flow = match state
        .store()
        .take_oauth_flow(flow_state, timestamp::now())
        .await
    {
        Ok(Some(flow)) => flow,
        Ok(None) => return report.flow(&FlowError::unknown_state(flow_state)).await,
        Err(err) => return report.api(&ApiError::from(err)).await,
    };
    report.ws_client_id = flow.ws_client_id.clone();
    report.provider_config_key = Some(flow.provider_config_key.clone());
    report.connection_id = Some(flow.connection_id.clone());
    report.return_url = flow.return_url.clone();
    report.session = Some(flow.connect_session);
    if flow.expired {
        return report.flow(&FlowError::expired_state(flow_state)).await;
    }
    match finish(&state, &flow, query.params()).await {
        Ok(()) => {
            let message = success_message(&flow.provider_config_key, &flow.connection_id);
            if let Some(id) = &flow.ws_client_id {
                state.oauth().sockets().publish(id, &message);
            }
            if let Some(href) = &flow.return_url {
                return back_with_result(&state, href, Some(flow.connect_session), message).await;
            }
            let page = PageFlow {
                provider_config_key: &flow.provider_config_key,
                connection_id: &flow.connection_id,
                ws_client_id: flow.ws_client_id.as_deref(),
            };
            callback_page(
                StatusCode::OK,
                Ok(()),
                Some(page),
                query.params(),
                report.lang,
            )
        }
        Err(failure) => {
            if let Some(kind) = failure.webhook {
                send_failure_webhook(&state, &flow, kind, failure.error.message()).await;
            }
            report.flow(&failure.error).await
        }
    }
}

/// A failed callback: what the client is told, and the `error.type` of the creation webhook
/// Nango sends for it (when it sends one).
struct Failure {
    error: FlowError,
    webhook: Option<&'static str>,
}

impl Failure {
    fn new(error: FlowError, webhook: Option<&'static str>) -> Failure {
        Failure { error, webhook }
    }

    fn unknown(detail: Option<&str>, webhook: Option<&'static str>) -> Failure {
        Failure::new(FlowError::unknown(detail), webhook)
    }
}

/// From the callback's code to the stored connection and its webhook.
async fn finish(
    state: &AppState,
    flow: &OAuthFlow,
    params: &Map<String, Value>,
) -> Result<(), Failure> {
    let key = &flow.provider_config_key;
    let integration = state
        .integrations()
        .get(key)
        .ok_or_else(|| Failure::new(FlowError::unknown_provider_config(key), None))?;
    let provider = state
        .catalogue()
        .find(&flow.provider)
        .ok_or_else(|| Failure::new(FlowError::unknown_provider_template(&flow.provider), None))?;
    let oauth =
        OAuth2Provider::from_provider(provider).map_err(|_| Failure::unknown(None, None))?;
    let code = callback_code(&oauth, params).map_err(|_| {
        Failure::new(
            FlowError::invalid_callback(params),
            Some("invalid_callback"),
        )
    })?;
    let metadata = callback_metadata(&oauth, params);
    let token_config = token_stage_config(&flow.connection_config, &metadata);
    let text = |name: &str| flow.connection_config.get(name).and_then(Value::as_str);
    let id = text("oauth_client_id_override").or(integration.client_id.as_deref());
    let secret = text("oauth_client_secret_override").or(integration.client_secret.as_deref());
    let (Some(id), Some(secret)) = (id, secret) else {
        return Err(Failure::new(FlowError::invalid_provider_config(key), None));
    };
    let now = timestamp::now();
    let random = uuid::Uuid::new_v4().to_string();
    let now_text = to_iso_string(now / 1000).unwrap_or_default();
    let exchange = CodeExchange {
        client: OAuth2Client { id, secret },
        code: &code,
        redirect_uri: &callback_url(state),
        code_verifier: &flow.code_verifier,
        connection_config: &token_config,
        generated: Generated {
            random: &random,
            now: &now_text,
        },
    };
    let request = token_request(&oauth, &exchange, state.oauth().matcher())
        .map_err(|_| Failure::unknown(None, Some("unknown")))?;
    let body = post_token(state.oauth().http(), &request)
        .await
        .map_err(|why| Failure::unknown(Some(&why.to_string()), Some("unknown")))?;
    let response = read_token_response(&oauth, &body, now / 1000)
        .map_err(|_| Failure::unknown(None, Some("unable_to_parse_token_response")))?;
    let (credentials, connection_config) =
        finish_connection(&response, &flow.connection_config, &metadata);
    let session = match state.store().session_by_id(flow.connect_session).await {
        Ok(Some(session)) => session,
        Ok(None) => return Err(Failure::unknown(Some("failed to get session"), None)),
        Err(err) => {
            tracing::error!("reading the session of an OAuth flow: {err}");
            return Err(Failure::unknown(Some("failed to get session"), None));
        }
    };
    let tags = validate_tags(&Value::Object(session.tags.clone()))
        .map_err(|_| Failure::unknown(Some("failed to create connection"), None))?;
    // The webhook goes into the outbox in the connection write's own transaction.
    let webhook = auth_webhook_rows(
        state,
        &session,
        flow.webhook_url_override.as_deref(),
        &WebhookConnection {
            connection_id: &flow.connection_id,
            provider_config_key: key,
            provider: &flow.provider,
            auth_mode: AuthMode::OAuth2.as_str(),
        },
        &tags,
    );
    let queued = webhook.is_some();
    let write = AuthWrite {
        reconnect_connection: None,
        connection_id: flow.connection_id.clone(),
        provider_config_key: key.clone(),
        provider: flow.provider.clone(),
        auth_mode: AuthMode::OAuth2.as_str().to_owned(),
        credentials: Value::Object(credentials),
        connection_config,
        tags: tags.clone(),
        end_user: end_user_record(session.end_user.as_ref(), session.organization.as_ref()),
        webhook_url_override: flow.webhook_url_override.clone(),
        // An OAuth re-authorisation keeps the metadata (Nango's `upsertConnection`).
        reset_metadata: false,
        webhook,
        now: timestamp::now(),
    };
    let written = state.store().write_auth(&write).await;
    let row = match written {
        Ok((_, Some(row))) => row,
        Ok((_, None)) => return Err(Failure::unknown(Some("failed to create connection"), None)),
        Err(err) => {
            tracing::error!("storing an OAuth connection: {err}");
            return Err(Failure::unknown(Some("failed to create connection"), None));
        }
    };
    if let Err(err) = state.store().set_refresh_failure(row.id, None).await {
        tracing::error!("clearing a connection's refresh failure: {err}");
    }
    if queued {
        state.webhooks().wake();
    }
    Ok(())
}

/// The `creation` webhook of a failed flow: Nango's "fake connection" (no tags, no end user).
async fn send_failure_webhook(state: &AppState, flow: &OAuthFlow, kind: &str, description: &str) {
    let webhook = AuthWebhook {
        connection_id: flow.connection_id.clone(),
        provider_config_key: flow.provider_config_key.clone(),
        auth_mode: AuthMode::OAuth2.as_str().to_owned(),
        provider: flow.provider.clone(),
        environment: state.settings().environment.clone(),
        operation: Operation::Creation,
        tags: None,
        end_user: None,
        error: Some(WebhookError {
            kind: kind.to_owned(),
            description: description.to_owned(),
        }),
    };
    state
        .queue_auth_webhook(flow.webhook_url_override.as_deref(), &webhook)
        .await;
}

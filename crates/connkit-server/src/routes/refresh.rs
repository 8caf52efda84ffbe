//! Refreshing a connection's token when GET /connections/:id reads it (spec §6.3), one provider
//! call at a time per connection: OAUTH2 with its refresh token, OAUTH2_CC, TWO_STEP, BILL,
//! SIGNATURE, JWT and AWS_SIGV4 by making their credentials again from what they stored (`obtain.rs`).
//!
//! Core decides (`refresh_decision`, `expiry_decision`) and builds the request; this module serialises the reads
//! of one connection behind its lock (`oauth/flight.rs`). A read that waited while another
//! refreshed takes that attempt's outcome (the new credentials, or its failure) instead of
//! deciding again, so N concurrent reads of an expired token, forced or not, make one call to
//! the provider, as Nango's in-flight promise cache does. A failed refresh is recorded (reads
//! back off for a while) and sent as a `refresh` auth webhook.
//!
//! Knows nothing about SQL or the connection's JSON (`connections.rs` answers).

use std::time::Instant;

use connkit_core::catalogue::AuthMode;
use connkit_core::interpolate::Generated;
use connkit_core::js::to_iso_string;
use connkit_core::modes::{ClientCredentialsProvider, TwoStepProvider};
use connkit_core::oauth2::{
    OAuth2Client, OAuth2Provider, RefreshCheck, RefreshDecision, RefreshExchange, RefreshFailure,
    expiry_decision, refresh_decision, refresh_request, refresh_token, refreshed_credentials,
    stored_client,
};
use connkit_core::webhook::{AuthWebhook, Operation, WebhookError};
use serde_json::Value;

use super::obtain::{refresh_client_credentials, refresh_two_step, remake};
use crate::error::ApiError;
use crate::oauth::flight::Attempt;
use crate::oauth::post_token;
use crate::state::AppState;
use crate::store::ConnectionRow;
use crate::timestamp::{self, Micros};

/// The credentials a read of `row` returns: `credentials` as stored, or refreshed first when
/// core says so (`force`: `force_refresh=true`). Errors: the refresh failed, or a recent one did.
pub(crate) async fn fresh_credentials(
    state: &AppState,
    row: &ConnectionRow,
    credentials: Value,
    force: bool,
) -> Result<Value, Refused> {
    let Some(provider) = state
        .catalogue()
        .find(&row.provider)
        .and_then(Refreshable::of)
    else {
        return Ok(credentials);
    };
    let started = Instant::now();
    let lock = state.oauth().refreshes().lock_for(row.id);
    let outcome = {
        let mut last = lock.lock().await;
        match *last {
            // Another read refreshed while this one waited: its outcome is this one's.
            Some(attempt) if attempt.ended >= started => match attempt.failure {
                Some(failure) => Err(Refused::Failed(failure)),
                None => reread(state, row).await,
            },
            _ => {
                let result = decide_and_refresh(state, &provider, row, force).await;
                if let Ok((_, true)) | Err(Refused::Failed(RefreshFailure::External)) = &result {
                    *last = Some(Attempt {
                        ended: Instant::now(),
                        failure: result.as_ref().err().and_then(Refused::failure),
                    });
                }
                result.map(|(credentials, _)| credentials)
            }
        }
    };
    state.oauth().refreshes().release(row.id, &lock);
    outcome
}

/// A provider whose connections' tokens are refreshed on read.
enum Refreshable {
    /// OAUTH2, with the refresh token.
    OAuth2(Box<OAuth2Provider>),
    /// OAUTH2_CC, with the stored client.
    ClientCredentials(ClientCredentialsProvider),
    /// TWO_STEP, with the stored values.
    TwoStep(Box<TwoStepProvider>),
    /// BILL, SIGNATURE, JWT and AWS_SIGV4, made again from the stored values.
    Remade(Box<connkit_core::catalogue::Provider>),
}

impl Refreshable {
    fn of(provider: &connkit_core::catalogue::Provider) -> Option<Refreshable> {
        match provider.auth_mode() {
            AuthMode::OAuth2Cc => ClientCredentialsProvider::from_provider(provider)
                .ok()
                .map(Refreshable::ClientCredentials),
            AuthMode::Bill | AuthMode::Signature | AuthMode::Jwt | AuthMode::AwsSigV4 => {
                Some(Refreshable::Remade(Box::new(provider.clone())))
            }
            AuthMode::TwoStep => TwoStepProvider::from_provider(provider)
                .ok()
                .map(|p| Refreshable::TwoStep(Box::new(p))),
            _ => OAuth2Provider::from_provider(provider)
                .ok()
                .map(|p| Refreshable::OAuth2(Box::new(p))),
        }
    }

    fn decide(&self, credentials: &Value, check: RefreshCheck) -> RefreshDecision {
        match self {
            Refreshable::OAuth2(provider) => refresh_decision(provider, credentials, check),
            Refreshable::ClientCredentials(provider) => {
                expiry_decision(provider.expiration_buffer_secs(), credentials, check)
            }
            Refreshable::TwoStep(provider) => {
                expiry_decision(provider.expiration_buffer_secs(), credentials, check)
            }
            Refreshable::Remade(_) => expiry_decision(None, credentials, check),
        }
    }
}

/// Why a read gets no credentials.
#[derive(Debug)]
pub(crate) enum Refused {
    /// A refresh failed now, or a recent one did ([`RefreshFailure`]).
    Failed(RefreshFailure),
    /// The store failed.
    Internal(ApiError),
}

impl Refused {
    fn failure(&self) -> Option<RefreshFailure> {
        match self {
            Refused::Failed(failure) => Some(*failure),
            Refused::Internal(_) => None,
        }
    }
}

impl From<crate::store::StoreError> for Refused {
    fn from(err: crate::store::StoreError) -> Refused {
        Refused::Internal(err.into())
    }
}

/// The stored credentials, read again (another read has just replaced them).
async fn reread(state: &AppState, row: &ConnectionRow) -> Result<Value, Refused> {
    match state
        .store()
        .find_connection(&row.provider_config_key, &row.connection_id)
        .await?
    {
        Some((_, credentials)) => Ok(credentials),
        None => Err(Refused::Failed(RefreshFailure::External)),
    }
}

/// Decides on the stored credentials (read under the lock) and refreshes when core says so;
/// the flag says whether a refresh was tried.
async fn decide_and_refresh(
    state: &AppState,
    provider: &Refreshable,
    row: &ConnectionRow,
    force: bool,
) -> Result<(Value, bool), Refused> {
    let credentials = reread(state, row).await?;
    let now = timestamp::now();
    let check = RefreshCheck {
        now_ms: now / 1000,
        force,
        last_failure_ms: state
            .store()
            .refresh_failure(row.id)
            .await?
            .map(|at| at / 1000),
    };
    match provider.decide(&credentials, check) {
        RefreshDecision::Fresh => Ok((credentials, false)),
        RefreshDecision::BackOff => Err(Refused::Failed(RefreshFailure::BackOff)),
        RefreshDecision::Refresh => match refresh(state, provider, row, &credentials, now).await {
            Some(fresh) => {
                state
                    .store()
                    .refresh_credentials(
                        row.id,
                        &row.provider_config_key,
                        &row.connection_id,
                        &fresh,
                        timestamp::now(),
                    )
                    .await?;
                Ok((fresh, true))
            }
            None => {
                state.store().set_refresh_failure(row.id, Some(now)).await?;
                send_failure_webhook(state, row).await;
                Err(Refused::Failed(RefreshFailure::External))
            }
        },
    }
}

/// One refresh against the provider: the new credentials, or `None` when it failed.
async fn refresh(
    state: &AppState,
    provider: &Refreshable,
    row: &ConnectionRow,
    credentials: &Value,
    now: Micros,
) -> Option<Value> {
    match provider {
        Refreshable::OAuth2(provider) => {
            refresh_oauth2(state, provider, row, credentials, now).await
        }
        Refreshable::ClientCredentials(provider) => {
            refresh_client_credentials(state, provider, credentials, &row.connection_config).await
        }
        Refreshable::TwoStep(provider) => {
            // The integration's preconfigured values, as on the first connection.
            let provider = match state.integrations().get(&row.provider_config_key) {
                Some(integration) => (**provider)
                    .clone()
                    .with_integration_config(&integration.custom),
                None => (**provider).clone(),
            };
            refresh_two_step(state, &provider, credentials, &row.connection_config).await
        }
        Refreshable::Remade(provider) => {
            let key = &row.provider_config_key;
            remake(state, provider, key, credentials, &row.connection_config).await
        }
    }
}

/// An OAUTH2 refresh with the stored refresh token.
async fn refresh_oauth2(
    state: &AppState,
    provider: &OAuth2Provider,
    row: &ConnectionRow,
    credentials: &Value,
    now: Micros,
) -> Option<Value> {
    let integration = state.integrations().get(&row.provider_config_key);
    let configured =
        integration.and_then(|i| Some((i.client_id.as_deref()?, i.client_secret.as_deref()?)));
    let (id, secret) = stored_client(credentials).or(configured)?;
    let random = uuid::Uuid::new_v4().to_string();
    let now_text = to_iso_string(now / 1000).unwrap_or_default();
    let exchange = RefreshExchange {
        client: OAuth2Client { id, secret },
        refresh_token: refresh_token(credentials)?,
        connection_config: &row.connection_config,
        generated: Generated {
            random: &random,
            now: &now_text,
        },
    };
    let request = refresh_request(provider, &exchange, state.oauth().matcher()).ok()?;
    let body = post_token(state.oauth().http(), &request).await.ok()?;
    let fresh = refreshed_credentials(provider, credentials, &body, now / 1000).ok()?;
    Some(Value::Object(fresh))
}

/// The `refresh` auth webhook of a failed refresh.
async fn send_failure_webhook(state: &AppState, row: &ConnectionRow) {
    let tags = connkit_core::tags::validate_tags(&Value::Object(row.tags.clone())).ok();
    let failure = RefreshFailure::External;
    let webhook = AuthWebhook {
        connection_id: row.connection_id.clone(),
        provider_config_key: row.provider_config_key.clone(),
        auth_mode: row.auth_mode.clone(),
        provider: row.provider.clone(),
        environment: state.settings().environment.clone(),
        operation: Operation::Refresh,
        tags,
        end_user: None,
        error: Some(WebhookError {
            kind: failure.kind().to_owned(),
            description: failure.message().to_owned(),
        }),
    };
    state
        .queue_auth_webhook(row.webhook_url_override.as_deref(), &webhook)
        .await;
}

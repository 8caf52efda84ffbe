//! When GET /connections/:id refreshes an OAuth 2 access token, and what a failed refresh
//! answers (spec §6.3), as Nango's `refreshOrTestCredentials` and `shouldRefreshCredentials`
//! decide.
//!
//! In Nango's order: a read that does not force a refresh, within
//! [`OAUTH2_REFRESH_BACKOFF_MS`] of a failed refresh, is refused (`connection_refresh_backoff`)
//! without a try; then credentials without `expires_at`, or expiring later than the provider's
//! `token_expiration_buffer` seconds from now (default [`OAUTH2_REFRESH_MARGIN_SECS`]), are
//! fresh unless the read forces a refresh; then a refresh happens only when there is a refresh
//! token (without one, the stored credentials are returned as they are, even when forced).
//!
//! Knows nothing about HTTP, storage or locks.

use serde_json::Value;

use super::provider::{OAuth2Provider, truthy};
use crate::js::parse_date;
use crate::limits::{OAUTH2_REFRESH_BACKOFF_MS, OAUTH2_REFRESH_MARGIN_SECS};

/// What to do with a connection's OAUTH2 credentials on a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshDecision {
    /// Return them as they are.
    Fresh,
    /// Refresh them first.
    Refresh,
    /// Refuse the read: a refresh failed a moment ago ([`RefreshFailure::BackOff`]).
    BackOff,
}

/// The read being decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshCheck {
    /// Now, in Unix milliseconds.
    pub now_ms: i64,
    /// `force_refresh=true`.
    pub force: bool,
    /// When the last refresh of the connection failed, if it did since it last succeeded.
    pub last_failure_ms: Option<i64>,
}

/// Why a read that needed a refresh fails; each answers `invalid_credentials` with Nango's
/// message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshFailure {
    /// The token endpoint refused or could not be reached (`refresh_token_external_error`, a
    /// 400 in Nango).
    External,
    /// A refresh failed within the back-off window (`connection_refresh_backoff`, a 424).
    BackOff,
}

impl RefreshFailure {
    /// Nango's error type, also the `error.type` of the refresh webhook.
    pub fn kind(self) -> &'static str {
        match self {
            RefreshFailure::External => "refresh_token_external_error",
            RefreshFailure::BackOff => "connection_refresh_backoff",
        }
    }

    /// Nango's message (the `NangoError` text), which the answer carries.
    pub fn message(self) -> &'static str {
        match self {
            RefreshFailure::External => {
                "The external API returned an error when trying to refresh the access token. Please try again later."
            }
            RefreshFailure::BackOff => {
                "A recent refresh attempt failed. Backing off before retrying."
            }
        }
    }
}

/// Decides what a read does with stored OAUTH2 `credentials`.
pub fn refresh_decision(
    provider: &OAuth2Provider,
    credentials: &Value,
    check: RefreshCheck,
) -> RefreshDecision {
    match expiry_decision(provider.expiration_buffer_secs, credentials, check) {
        RefreshDecision::Refresh if refresh_token(credentials).is_none() => RefreshDecision::Fresh,
        decision => decision,
    }
}

/// The part of the decision every refreshable mode shares (`shouldRefreshCredentials` before
/// its per-type checks): the back-off, then the expiry against `buffer_secs` (the provider's
/// `token_expiration_buffer`, `None` for the default); `Refresh` when the read forces one or
/// the credentials expire within the buffer. OAUTH2 then also needs a refresh token; the modes
/// that obtain a new token from what they stored (OAUTH2_CC, TWO_STEP…) do not.
pub fn expiry_decision(
    buffer_secs: Option<f64>,
    credentials: &Value,
    check: RefreshCheck,
) -> RefreshDecision {
    let backoff = i64::try_from(OAUTH2_REFRESH_BACKOFF_MS).unwrap_or(i64::MAX);
    if !check.force
        && check
            .last_failure_ms
            .is_some_and(|at| check.now_ms.saturating_sub(at) < backoff)
    {
        return RefreshDecision::BackOff;
    }
    if !check.force {
        let Some(expires_at) = credentials
            .get("expires_at")
            .and_then(Value::as_str)
            .and_then(parse_date)
        else {
            return RefreshDecision::Fresh;
        };
        let buffer_secs = buffer_secs.unwrap_or(OAUTH2_REFRESH_MARGIN_SECS as f64);
        let left_ms = expires_at.saturating_sub(check.now_ms) as f64;
        if left_ms >= buffer_secs * 1000.0 {
            return RefreshDecision::Fresh;
        }
    }
    RefreshDecision::Refresh
}

/// The stored refresh token, when there is one to use.
pub fn refresh_token(credentials: &Value) -> Option<&str> {
    credentials
        .get("refresh_token")
        .filter(|v| truthy(v))
        .and_then(Value::as_str)
}

//! Who is calling (spec §2.3, §3.1, §9): the environment secret key in `Authorization`, a connect
//! session token in `Authorization` (session routes, integrations, providers) or in the
//! `connect_session_token` query parameter (auth endpoints).
//!
//! Header reading and token formats are core's (`connkit_core::auth`); this module looks tokens
//! up and turns failures into Nango's 401s. Authentication runs before the body is read, so an
//! unauthenticated caller never makes the server buffer or parse a body.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use connkit_core::auth::{
    Bearer, CONNECT_SESSION_TOKEN_PREFIX, is_valid_connect_session_token, is_valid_secret_key,
    read_bearer,
};
use connkit_core::request::{Query, Scalar};

use crate::crypto::constant_time_eq;
use crate::error::{ApiError, AuthFailure};
use crate::state::AppState;
use crate::store::Session;
use crate::timestamp;

/// A caller holding the secret key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SecretKey;

/// A caller holding a valid connect session token in `Authorization`.
#[derive(Debug, Clone)]
pub(crate) struct SessionBearer(pub(crate) Session);

/// A caller holding either (GET /integrations, GET /providers).
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    Secret,
    Session(Box<Session>),
}

/// A caller of an auth endpoint, holding a connect session token in the query.
#[derive(Debug, Clone)]
pub(crate) struct SessionQuery(pub(crate) Session);

fn header_value(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

fn bearer(parts: &Parts) -> Result<String, ApiError> {
    let header = header_value(parts);
    match read_bearer(header.as_deref()) {
        Bearer::Missing => Err(ApiError::Auth(AuthFailure::MissingAuthHeader)),
        Bearer::Malformed => Err(ApiError::Auth(AuthFailure::MalformedAuthHeader)),
        Bearer::Value(value) => Ok(value.to_owned()),
    }
}

fn check_secret(state: &AppState, value: &str) -> Result<(), ApiError> {
    if !is_valid_secret_key(value) {
        return Err(ApiError::Auth(AuthFailure::InvalidSecretKeyFormat));
    }
    if !constant_time_eq(value.as_bytes(), state.settings().secret_key.as_bytes()) {
        return Err(ApiError::Auth(AuthFailure::UnknownAccount));
    }
    Ok(())
}

/// The session a token opens, or Nango's 401.
pub(crate) async fn session_for(state: &AppState, token: &str) -> Result<Session, ApiError> {
    if !is_valid_connect_session_token(token) {
        return Err(ApiError::Auth(
            AuthFailure::InvalidConnectSessionTokenFormat,
        ));
    }
    state
        .store()
        .find_session(token, timestamp::now())
        .await?
        .ok_or(ApiError::Auth(AuthFailure::UnknownConnectSessionToken))
}

impl FromRequestParts<AppState> for SecretKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        check_secret(state, &bearer(parts)?)?;
        Ok(SecretKey)
    }
}

impl FromRequestParts<AppState> for SessionBearer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?;
        Ok(SessionBearer(session_for(state, &token).await?))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let value = bearer(parts)?;
        // A value with the session prefix is never tried as a secret key (spec §2.3).
        if value.starts_with(CONNECT_SESSION_TOKEN_PREFIX) {
            return Ok(Caller::Session(Box::new(session_for(state, &value).await?)));
        }
        check_secret(state, &value)?;
        Ok(Caller::Secret)
    }
}

impl FromRequestParts<AppState> for SessionQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let query = Query::parse(parts.uri.query());
        match query.scalar("connect_session_token") {
            Scalar::Str(token) => Ok(SessionQuery(session_for(state, &token).await?)),
            Scalar::Other(_) => Err(ApiError::Auth(
                AuthFailure::InvalidConnectSessionTokenFormat,
            )),
            // connkit has no public keys: without a session token, the deprecated public-key
            // flow is all that is left, answered as Nango answers it for new accounts.
            Scalar::Absent => match query.scalar("public_key") {
                Scalar::Absent => Err(ApiError::Auth(AuthFailure::MissingPublicKey)),
                _ => Err(ApiError::Auth(AuthFailure::DeprecatedAuthentication)),
            },
        }
    }
}

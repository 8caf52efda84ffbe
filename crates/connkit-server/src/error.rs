//! `ApiError`, the one error type handlers return, and its JSON in Nango's shapes (spec §8).
//!
//! Validation failures are 400s in zod's envelope, `{"error":{"code":"invalid_body","errors":[…]}}`,
//! where `errors` is core's Nango projection (what Nango itself would answer) or, when Nango would
//! have accepted the input and only connkit's stricter rules reject it, connkit's issues written
//! the same way. An extra `issues` list carries connkit's stable codes and paths (empty where
//! connkit has no rule beyond Nango's schema). Both lists come from core (a
//! `connkit_core::request::Rejection`, mostly); this module never builds a Nango issue. Internal
//! failures never leak: they answer Nango's `generic_error_support` 500 with a fresh id, and the
//! cause travels in a response extension that the logging middleware ([`log_internal_error`])
//! writes out.
//!
//! Knows nothing about SQL or which handler failed; the English texts here are Nango's.

use axum::Json;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use connkit_core::modes::Failure;
use connkit_core::nango::NangoIssue;
use connkit_core::request::Rejection;
use connkit_core::{Issue, Severity, ValidationError};
use serde_json::{Value, json};

/// Where a validation problem was found; decides the envelope's `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// `invalid_body`.
    Body,
    /// `invalid_query_params`.
    Query,
    /// `invalid_uri_params`.
    Uri,
}

impl Part {
    fn code(self) -> &'static str {
        match self {
            Part::Body => "invalid_body",
            Part::Query => "invalid_query_params",
            Part::Uri => "invalid_uri_params",
        }
    }
}

/// The authentication failures of Nango's access middleware (spec §8, §9), all 401.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthFailure {
    MissingAuthHeader,
    MalformedAuthHeader,
    InvalidSecretKeyFormat,
    UnknownAccount,
    InvalidConnectSessionTokenFormat,
    UnknownConnectSessionToken,
    MissingPublicKey,
    DeprecatedAuthentication,
}

impl AuthFailure {
    fn code(self) -> &'static str {
        match self {
            AuthFailure::MissingAuthHeader => "missing_auth_header",
            AuthFailure::MalformedAuthHeader => "malformed_auth_header",
            AuthFailure::InvalidSecretKeyFormat => "invalid_secret_key_format",
            AuthFailure::UnknownAccount => "unknown_account",
            AuthFailure::InvalidConnectSessionTokenFormat => "invalid_connect_session_token_format",
            AuthFailure::UnknownConnectSessionToken => "unknown_connect_session_token",
            AuthFailure::MissingPublicKey => "missing_public_key",
            AuthFailure::DeprecatedAuthentication => "deprecated_authentication",
        }
    }

    fn message(self) -> &'static str {
        match self {
            AuthFailure::MissingAuthHeader => {
                "Authentication failed. The request is missing the Authorization header."
            }
            AuthFailure::MalformedAuthHeader => {
                "Authentication failed. The provided Authorization header is malformed."
            }
            AuthFailure::InvalidSecretKeyFormat => {
                "Authentication failed. The provided secret key is not a UUID v4."
            }
            AuthFailure::UnknownAccount => {
                "Authentication failed. The provided secret key does not match any account."
            }
            AuthFailure::InvalidConnectSessionTokenFormat => {
                "Authentication failed. The provided connect session token is not following correct format: nango_connect_session_RANDOMSTRING"
            }
            AuthFailure::UnknownConnectSessionToken => {
                "Authentication failed. The provided connect session token does not match any account."
            }
            AuthFailure::MissingPublicKey => {
                "Authentication failed. The request is missing a valid connect session token."
            }
            AuthFailure::DeprecatedAuthentication => {
                "Public key authentication is deprecated. Please use connect session authentication instead."
            }
        }
    }
}

/// Every error a handler can answer with. Each variant's doc gives its status.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// 400 `invalid_body` / `invalid_query_params` / `invalid_uri_params` with `errors`.
    Validation {
        part: Part,
        nango: Vec<NangoIssue>,
        issues: Vec<Issue>,
    },
    /// 401 in NangoError form `{"error":{"message","code","payload":{}}}`.
    Auth(AuthFailure),
    /// Any status with `{"error":{"code"[,"message"]}}`.
    Simple {
        status: StatusCode,
        code: &'static str,
        message: Option<String>,
    },
    /// 415 `invalid_content_type`.
    ContentType,
    /// 400 `invalid_json` with the parser's message.
    Json(String),
    /// 413 `payload_too_large` (the body limit, in bytes).
    TooLarge(usize),
    /// 408 `request_timeout`: the body did not arrive whole in time.
    Timeout,
    /// Any status with `{"error":{"code","message","payload"}}` (a failed refresh, spec §6.3).
    Payload {
        status: StatusCode,
        code: &'static str,
        message: String,
        payload: Value,
    },
    /// 400 `{"error":{"code","message","payload","issues"}}`: an auth mode could not obtain
    /// credentials (Nango's code, message and payload, connkit's issue).
    Mode(Box<Failure>),
    /// 500 `generic_error_support`; the cause is logged, never sent.
    Internal(String),
    /// 503 `service_unavailable` with `Retry-After`: the database cannot take the request now
    /// (full, read-only, its files gone); the cause is logged, never sent.
    Unavailable(String),
}

impl ApiError {
    /// A request core refused, answered in `part`'s envelope.
    pub(crate) fn rejected(part: Part, rejection: Rejection) -> ApiError {
        let (issues, nango) = rejection.into_parts();
        ApiError::Validation {
            part,
            nango,
            issues,
        }
    }

    /// A refusal only connkit's rules make (Nango has no such check): its issues.
    pub(crate) fn validation(part: Part, err: ValidationError) -> ApiError {
        ApiError::Validation {
            part,
            nango: Vec::new(),
            issues: err.into_issues(),
        }
    }

    /// A refusal core describes only in Nango's words.
    pub(crate) fn nango(part: Part, nango: Vec<NangoIssue>) -> ApiError {
        ApiError::Validation {
            part,
            nango,
            issues: Vec::new(),
        }
    }

    /// `{"error":{"code":…}}` without a message.
    pub(crate) fn code(status: StatusCode, code: &'static str) -> ApiError {
        ApiError::Simple {
            status,
            code,
            message: None,
        }
    }

    /// `{"error":{"code":…,"message":…}}`.
    pub(crate) fn message(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError::Simple {
            status,
            code,
            message: Some(message.into()),
        }
    }

    /// An internal failure (logged, answered with a generic 500).
    pub(crate) fn internal(cause: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(cause.to_string())
    }

    /// The status, `error.code` and `error.message` this error answers with (for the pages that
    /// report it in another form, such as the OAuth popup's). An internal failure's cause is
    /// logged here, since no response carries it.
    pub(crate) fn summary(&self) -> (StatusCode, &'static str, Option<String>) {
        match self {
            ApiError::Validation { part, .. } => (StatusCode::BAD_REQUEST, part.code(), None),
            ApiError::Auth(failure) => (
                StatusCode::UNAUTHORIZED,
                failure.code(),
                Some(failure.message().to_owned()),
            ),
            ApiError::Simple {
                status,
                code,
                message,
            } => (*status, code, message.clone()),
            ApiError::Payload {
                status,
                code,
                message,
                ..
            } => (*status, code, Some(message.clone())),
            ApiError::Mode(failure) => (
                StatusCode::BAD_REQUEST,
                failure.code(),
                Some(failure.message().to_owned()),
            ),
            ApiError::ContentType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_content_type",
                None,
            ),
            ApiError::Json(_) => (StatusCode::BAD_REQUEST, "invalid_json", None),
            ApiError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", None),
            ApiError::Timeout => (StatusCode::REQUEST_TIMEOUT, "request_timeout", None),
            ApiError::Internal(cause) => {
                tracing::error!("internal error: {cause}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "generic_error_support",
                    None,
                )
            }
            ApiError::Unavailable(cause) => {
                tracing::error!("database unavailable: {cause}");
                (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", None)
            }
        }
    }
}

/// `.reject_as(part)?` on a core check: its [`Rejection`] answered in `part`'s envelope.
pub(crate) trait RejectAs<T> {
    fn reject_as(self, part: Part) -> Result<T, ApiError>;
}

impl<T> RejectAs<T> for Result<T, Rejection> {
    fn reject_as(self, part: Part) -> Result<T, ApiError> {
        self.map_err(|rejection| ApiError::rejected(part, rejection))
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(err: crate::store::StoreError) -> ApiError {
        if err.is_unavailable() {
            return ApiError::Unavailable(err.to_string());
        }
        ApiError::internal(err)
    }
}

/// The cause of a 500 or 503, attached to the response for [`log_internal_error`].
#[derive(Debug, Clone)]
pub(crate) struct InternalCause {
    id: String,
    cause: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::Validation {
                part,
                nango,
                issues,
            } => (
                StatusCode::BAD_REQUEST,
                validation_body(part, &nango, &issues),
            ),
            ApiError::Auth(failure) => (
                StatusCode::UNAUTHORIZED,
                json!({"error": {"message": failure.message(), "code": failure.code(), "payload": {}}}),
            ),
            ApiError::Simple {
                status,
                code,
                message,
            } => {
                let body = match message {
                    Some(message) => json!({"error": {"code": code, "message": message}}),
                    None => json!({"error": {"code": code}}),
                };
                (status, body)
            }
            ApiError::Payload {
                status,
                code,
                message,
                payload,
            } => (
                status,
                json!({"error": {"code": code, "message": message, "payload": payload}}),
            ),
            ApiError::Mode(failure) => {
                let issue = failure.issue();
                let issues = [json!({"code": issue.code().as_str(), "path": issue.path()})];
                (
                    StatusCode::BAD_REQUEST,
                    json!({"error": {
                        "code": failure.code(),
                        "message": failure.message(),
                        "payload": failure.payload(),
                        "issues": issues,
                    }}),
                )
            }
            ApiError::ContentType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({"error": {"code": "invalid_content_type", "message": "Content-Type header must be application/json"}}),
            ),
            ApiError::Json(message) => (
                StatusCode::BAD_REQUEST,
                json!({"error": {"code": "invalid_json", "message": message}}),
            ),
            ApiError::TooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({"error": {"code": "payload_too_large", "message": format!("The request body is larger than {limit} bytes")}}),
            ),
            ApiError::Timeout => (
                StatusCode::REQUEST_TIMEOUT,
                json!({"error": {"code": "request_timeout", "message": "The request body did not arrive in time"}}),
            ),
            ApiError::Internal(cause) => {
                let id = uuid::Uuid::new_v4().to_string();
                let body = generic_error_body(&id);
                let mut response = (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
                response
                    .extensions_mut()
                    .insert(InternalCause { id, cause });
                return response;
            }
            ApiError::Unavailable(cause) => {
                let id = uuid::Uuid::new_v4().to_string();
                let body = json!({"error": {
                    "code": "service_unavailable",
                    "message": format!("The server cannot store or read data right now; try again later. Error id: \"{id}\""),
                    "payload": id,
                }});
                let mut response = (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(axum::http::header::RETRY_AFTER, "30")],
                    Json(body),
                )
                    .into_response();
                response
                    .extensions_mut()
                    .insert(InternalCause { id, cause });
                return response;
            }
        };
        (status, Json(body)).into_response()
    }
}

/// Nango's body for an unexpected failure.
pub(crate) fn generic_error_body(id: &str) -> Value {
    json!({"error": {
        "message": format!("An error occurred. Please contact support with this unique id: \"{id}\""),
        "code": "generic_error_support",
        "payload": id,
    }})
}

fn validation_body(part: Part, nango: &[NangoIssue], issues: &[Issue]) -> Value {
    let errors: Vec<Value> = if nango.is_empty() {
        issues
            .iter()
            .filter(|it| it.severity() == Severity::Error)
            .map(|it| json!({"code": it.code().as_str(), "message": it.message(), "path": it.path()}))
            .collect()
    } else {
        nango
            .iter()
            .map(|it| json!({"code": it.code, "message": it.message, "path": it.path}))
            .collect()
    };
    let issues: Vec<Value> = issues
        .iter()
        .filter(|it| it.severity() == Severity::Error)
        .map(|it| json!({"code": it.code().as_str(), "path": it.path()}))
        .collect();
    json!({"error": {"code": part.code(), "errors": errors, "issues": issues}})
}

/// Writes the cause of a 500 or 503 to the log, with the id the client received (called by
/// the middleware of `lib.rs` for every answer).
pub(crate) fn log_internal_error(method: &Method, path: &str, response: &Response) {
    if let Some(InternalCause { id, cause }) = response.extensions().get::<InternalCause>() {
        tracing::error!(%method, %path, error_id = %id, "internal error: {cause}");
    }
}

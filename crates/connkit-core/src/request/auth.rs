//! The requests of the auth endpoints @nangohq/frontend and Connect UI call for the providers
//! whose form posts credentials (spec §3.2–3.4): which endpoint serves which auth mode, the
//! (non-strict) query and the body each endpoint takes.
//!
//! The query schema of every endpoint, read in `packages/server/lib/controllers/auth/*.ts`
//! (NangoHQ/nango at 2f4c0af6), is `z.object({connection_id: connectionIdSchema.optional(),
//! params: z.looseObject({}).optional()}).and(connectionCredential)`: other keys (`user_scope`
//! among them) are tolerated, and `params` must be an object. OAUTH2_CC's handler
//! (`oauth.controller.ts`, `oauth2RequestCC`) reads the query without a schema; connkit holds it
//! to the same one. The session token (`connectionCredential`) is the host's to check first.
//!
//! Knows nothing about sessions, integrations or providers beyond the auth mode an endpoint
//! serves, nor about what a mode makes of its body (`crate::modes`).

use serde_json::{Map, Value};

use crate::catalogue::AuthMode;
use crate::credentials::{
    CredentialsKind, nango_credentials_errors, validate_body, validate_credentials,
};
use crate::ids::{check_connection_id, nango_connection_id_errors};
use crate::nango::NangoIssue;
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue, JsonType, ValidationError};

use super::bodies::check_empty_body;
use super::query::{Query, Scalar};
use super::{Rejection, p};

/// Which auth endpoint a request reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthEndpoint {
    /// `POST /api-auth/api-key/:providerConfigKey`.
    ApiKey,
    /// `POST /api-auth/basic/:providerConfigKey`.
    Basic,
    /// `POST /auth/unauthenticated/:providerConfigKey`.
    Unauthenticated,
    /// `POST /oauth2/auth/:providerConfigKey` (client credentials).
    OAuth2Cc,
    /// `POST /auth/two-step/:providerConfigKey`.
    TwoStep,
    /// `POST /auth/jwt/:providerConfigKey`.
    Jwt,
    /// `POST /auth/tba/:providerConfigKey`.
    Tba,
    /// `POST /auth/bill/:providerConfigKey`.
    Bill,
    /// `POST /auth/signature/:providerConfigKey`.
    Signature,
    /// `POST /auth/aws-sigv4/:providerConfigKey`.
    AwsSigV4,
}

impl AuthEndpoint {
    /// Every endpoint.
    pub const ALL: [AuthEndpoint; 10] = [
        AuthEndpoint::ApiKey,
        AuthEndpoint::Basic,
        AuthEndpoint::Unauthenticated,
        AuthEndpoint::OAuth2Cc,
        AuthEndpoint::TwoStep,
        AuthEndpoint::Jwt,
        AuthEndpoint::Tba,
        AuthEndpoint::Bill,
        AuthEndpoint::Signature,
        AuthEndpoint::AwsSigV4,
    ];

    /// The endpoint serving providers of `mode`; `None` for the popup modes (OAUTH2 and the
    /// other browser flows) and the modes Nango has no endpoint for.
    pub fn for_mode(mode: &AuthMode) -> Option<AuthEndpoint> {
        AuthEndpoint::ALL
            .into_iter()
            .find(|endpoint| endpoint.auth_mode() == *mode)
    }

    /// The path before `/:providerConfigKey` (`/api-auth/api-key`, `/oauth2/auth`, …).
    pub fn path(self) -> &'static str {
        match self {
            AuthEndpoint::ApiKey => "/api-auth/api-key",
            AuthEndpoint::Basic => "/api-auth/basic",
            AuthEndpoint::Unauthenticated => "/auth/unauthenticated",
            AuthEndpoint::OAuth2Cc => "/oauth2/auth",
            AuthEndpoint::TwoStep => "/auth/two-step",
            AuthEndpoint::Jwt => "/auth/jwt",
            AuthEndpoint::Tba => "/auth/tba",
            AuthEndpoint::Bill => "/auth/bill",
            AuthEndpoint::Signature => "/auth/signature",
            AuthEndpoint::AwsSigV4 => "/auth/aws-sigv4",
        }
    }

    /// The auth mode the integration's provider must have.
    pub fn auth_mode(self) -> AuthMode {
        match self {
            AuthEndpoint::ApiKey => AuthMode::ApiKey,
            AuthEndpoint::Basic => AuthMode::Basic,
            AuthEndpoint::Unauthenticated => AuthMode::None,
            AuthEndpoint::OAuth2Cc => AuthMode::OAuth2Cc,
            AuthEndpoint::TwoStep => AuthMode::TwoStep,
            AuthEndpoint::Jwt => AuthMode::Jwt,
            AuthEndpoint::Tba => AuthMode::Tba,
            AuthEndpoint::Bill => AuthMode::Bill,
            AuthEndpoint::Signature => AuthMode::Signature,
            AuthEndpoint::AwsSigV4 => AuthMode::AwsSigV4,
        }
    }

    /// True for the endpoints whose credentials an opt-in test against the provider's
    /// `proxy.verification` may check (API_KEY and BASIC, spec §3.4 step 11).
    pub fn takes_credentials(self) -> bool {
        matches!(self, AuthEndpoint::ApiKey | AuthEndpoint::Basic)
    }

    /// True when re-authorising a connection resets its metadata to `{}`: every endpoint whose
    /// handler upserts with `metadata: {}` (`upsertAuthConnection`); NONE keeps it, and so does
    /// OAUTH2_CC (`upsertConnection` without metadata).
    pub fn resets_metadata(self) -> bool {
        !matches!(self, AuthEndpoint::Unauthenticated | AuthEndpoint::OAuth2Cc)
    }

    /// True when the connection's credentials come from the provider or a signature made at
    /// connection time (`crate::modes`), not from the body as it is.
    pub fn obtains_credentials(self) -> bool {
        !matches!(
            self,
            AuthEndpoint::ApiKey | AuthEndpoint::Basic | AuthEndpoint::Unauthenticated
        )
    }
}

/// The endpoint's body, checked: for API_KEY and BASIC the credentials a connection stores
/// (`{"type": "API_KEY", "apiKey"}`, `{"type": "BASIC", "username", "password"}`,
/// [`crate::credentials`]); for NONE `{}` (its body must be empty, spec §6.3); for the others
/// the body's members as given, which the mode makes credentials from (`crate::modes`):
/// TBA, BILL, SIGNATURE and AWS_SIGV4 take strict bodies, JWT and TWO_STEP any object
/// (`z.looseObject({})`), and OAUTH2_CC's handler has no schema at all: connkit asks for an
/// object whose `client_id`, `client_secret`, `client_certificate` and `client_private_key`,
/// when present, are strings (whether the id and a secret are there is the mode's first check,
/// answered in Nango's words).
pub fn check_auth_body(endpoint: AuthEndpoint, body: Option<&Value>) -> Result<Value, Rejection> {
    let kind = match endpoint {
        AuthEndpoint::Unauthenticated => {
            check_empty_body(body)?;
            return Ok(Value::Object(Map::new()));
        }
        AuthEndpoint::ApiKey => CredentialsKind::ApiKey,
        AuthEndpoint::Basic => CredentialsKind::Basic,
        AuthEndpoint::Tba => CredentialsKind::Tba,
        AuthEndpoint::Bill => CredentialsKind::Bill,
        AuthEndpoint::Signature => CredentialsKind::Signature,
        AuthEndpoint::AwsSigV4 => CredentialsKind::AwsSigV4,
        AuthEndpoint::Jwt | AuthEndpoint::TwoStep => return loose_object(body),
        AuthEndpoint::OAuth2Cc => return client_credentials_body(body),
    };
    if endpoint.obtains_credentials() {
        return Rejection::judge(
            validate_body(kind, body).map(Value::Object),
            nango_credentials_errors(kind, body),
        );
    }
    Rejection::judge(
        validate_credentials(kind, body),
        nango_credentials_errors(kind, body),
    )
}

/// `z.looseObject({})`: any object.
fn loose_object(body: Option<&Value>) -> Result<Value, Rejection> {
    match body {
        Some(Value::Object(map)) => Ok(Value::Object(map.clone())),
        other => {
            let received = other.map_or(JsonType::Undefined, JsonType::of);
            let issue =
                Issue::new(ErrorCode::ValueTypeInvalid, Vec::new()).with_detail(Detail::Expected {
                    expected: JsonType::Object,
                    received,
                });
            let nango = NangoIssue::invalid_type(JsonType::Object, received, Vec::new());
            Rejection::judge(
                ValidationError::from_issues(vec![issue]).map(|_| Value::Null),
                vec![nango],
            )
        }
    }
}

/// OAUTH2_CC's body: an object whose client members, when present, are strings. Nango reads
/// whatever JSON arrives (a missing body makes it answer 500), so its projection is empty.
fn client_credentials_body(body: Option<&Value>) -> Result<Value, Rejection> {
    const MEMBERS: [&str; 4] = [
        "client_id",
        "client_secret",
        "client_certificate",
        "client_private_key",
    ];
    let expected = |received| Detail::Expected {
        expected: JsonType::String,
        received,
    };
    let mut issues = Vec::new();
    match body {
        None => return Ok(Value::Object(Map::new())),
        Some(Value::Object(map)) => {
            for name in MEMBERS {
                match map.get(name) {
                    None | Some(Value::String(_)) => {}
                    Some(other) => issues.push(
                        Issue::new(ErrorCode::ValueTypeInvalid, p(name))
                            .with_detail(expected(JsonType::of(other))),
                    ),
                }
            }
        }
        Some(other) => issues.push(
            Issue::new(ErrorCode::ValueTypeInvalid, Vec::new()).with_detail(Detail::Expected {
                expected: JsonType::Object,
                received: JsonType::of(other),
            }),
        ),
    }
    Rejection::unless_empty(issues, Vec::new())?;
    Ok(body.cloned().unwrap_or(Value::Null))
}

/// What an auth endpoint's query carries besides the session token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthQuery {
    connection_id: Option<String>,
    params: Map<String, Value>,
}

impl AuthQuery {
    /// `connection_id`, if given (a valid connection id).
    pub fn connection_id(&self) -> Option<&str> {
        self.connection_id.as_deref()
    }

    /// The string values of `params[…]` without `webhook_url` (Nango's `getConnectionConfig`):
    /// the connection's `connection_config` as the end user gave it.
    pub fn params(&self) -> &Map<String, Value> {
        &self.params
    }

    /// Consumes the query, giving [`AuthQuery::params`].
    pub fn into_params(self) -> Map<String, Value> {
        self.params
    }

    /// The check Nango makes once the path is valid, for a caller holding a connect session
    /// token: `connection_id` is forbidden (the session decides the connection).
    pub fn check_with_session_token(&self) -> Result<(), Rejection> {
        let nango = self
            .connection_id
            .iter()
            .map(|_| {
                NangoIssue::custom(
                    "connection_id is forbidden when using session token",
                    p("connection_id"),
                )
            })
            .collect();
        Rejection::unless_empty(Vec::new(), nango)
    }
}

/// The query of the auth endpoints (spec §3.2; not strict: other keys are tolerated):
/// `connection_id` a connection id, `params` an object.
pub fn check_auth_query(query: &Query) -> Result<AuthQuery, Rejection> {
    let mut nango = Vec::new();
    let mut issues = Vec::new();
    let connection_id = match query.scalar("connection_id") {
        Scalar::Absent => None,
        Scalar::Str(id) => {
            let path = p("connection_id");
            let as_value = Value::String(id.clone());
            check_connection_id(Some(&as_value), path.clone(), &mut issues);
            nango.extend(nango_connection_id_errors(&id, &path));
            Some(id)
        }
        Scalar::Other(received) => {
            nango.push(NangoIssue::invalid_type(
                JsonType::String,
                received,
                p("connection_id"),
            ));
            None
        }
    };
    let params = match query.string_map("params") {
        Ok(mut params) => {
            params.remove("webhook_url");
            params
        }
        Err(received) => {
            nango.push(NangoIssue::invalid_type(
                JsonType::Object,
                received,
                p("params"),
            ));
            Map::new()
        }
    };
    Rejection::unless_empty(issues, nango)?;
    Ok(AuthQuery {
        connection_id,
        params,
    })
}

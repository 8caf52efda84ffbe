//! The requests of the auth endpoints @nangohq/frontend and Connect UI call for API_KEY, BASIC
//! and NONE providers (spec §3.2–3.4): the (non-strict) query and the body each endpoint takes.
//!
//! The query schema of the three endpoints, read in `packages/server/lib/controllers/auth/
//! {postApiKey,postBasic,postUnauthenticated}.ts` (NangoHQ/nango at 2f4c0af6), is
//! `z.object({connection_id: connectionIdSchema.optional(), params: z.looseObject({}).optional()})
//! .and(connectionCredential)`: other keys (`user_scope` among them) are tolerated, and `params`
//! must be an object. The session token (`connectionCredential`) is the host's to check first.
//!
//! Knows nothing about sessions, integrations or providers beyond the auth mode an endpoint
//! serves.

use serde_json::{Map, Value};

use crate::JsonType;
use crate::catalogue::AuthMode;
use crate::credentials::{CredentialsKind, nango_credentials_errors, validate_credentials};
use crate::ids::{check_connection_id, nango_connection_id_errors};
use crate::nango::NangoIssue;
use crate::prelude::*;

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
}

impl AuthEndpoint {
    /// The auth mode the integration's provider must have.
    pub fn auth_mode(self) -> AuthMode {
        match self {
            AuthEndpoint::ApiKey => AuthMode::ApiKey,
            AuthEndpoint::Basic => AuthMode::Basic,
            AuthEndpoint::Unauthenticated => AuthMode::None,
        }
    }

    /// True for the endpoints that take credentials (re-auth resets their metadata, and an
    /// opt-in credential test may run).
    pub fn takes_credentials(self) -> bool {
        self != AuthEndpoint::Unauthenticated
    }
}

/// The credentials the endpoint's body carries, as a connection stores them: `{"type":
/// "API_KEY", "apiKey"}`, `{"type": "BASIC", "username", "password"}` ([`crate::credentials`]),
/// or `{}` for NONE, whose body must be empty (spec §6.3).
pub fn check_auth_body(endpoint: AuthEndpoint, body: Option<&Value>) -> Result<Value, Rejection> {
    let kind = match endpoint {
        AuthEndpoint::Unauthenticated => {
            check_empty_body(body)?;
            return Ok(Value::Object(Map::new()));
        }
        AuthEndpoint::ApiKey => CredentialsKind::ApiKey,
        AuthEndpoint::Basic => CredentialsKind::Basic,
    };
    Rejection::judge(
        validate_credentials(kind, body),
        nango_credentials_errors(kind, body),
    )
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

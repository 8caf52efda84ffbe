//! The OAuth 2 attributes of one catalogue entry, read once and typed (spec §5.2): its URL
//! templates and parameters, how its client authenticates, and how its token responses and
//! callbacks are read.
//!
//! Reading is as lenient as Nango's: an attribute of the wrong type is treated as absent, and
//! booleans are JavaScript truthiness. Only the two URLs the flow cannot do without are
//! required. Knows nothing about requests, sessions or stored credentials.

use serde_json::{Map, Value};

use crate::catalogue::{AuthMode, FieldSchema, Provider};
use crate::js::js_key_order;
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue, ValidationError};

/// How the client id and secret reach the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_id` and `client_secret` in the body (Nango's default, `authorization_method` not
    /// `header`); with `token_request_auth_method: basic`, also an `Authorization: Basic` header
    /// of the raw `id:secret`.
    Body {
        /// `token_request_auth_method: basic`.
        basic_header: bool,
    },
    /// Only an `Authorization: Basic` header, id and secret form-urlencoded first
    /// (`authorization_method: header`, simple-oauth2's "strict" encoding).
    Header,
}

/// One provider's OAuth 2 attributes. Build it with [`OAuth2Provider::from_provider`].
#[derive(Debug, Clone, PartialEq)]
pub struct OAuth2Provider {
    pub(super) name: String,
    pub(super) authorization_url: String,
    pub(super) token_url: String,
    pub(super) refresh_url: Option<String>,
    pub(super) authorization_params: Vec<(String, Value)>,
    pub(super) token_params: Vec<(String, Value)>,
    pub(super) refresh_params: Option<Vec<(String, Value)>>,
    pub(super) scope_separator: String,
    pub(super) default_scopes: Vec<String>,
    pub(super) disable_pkce: bool,
    pub(super) authorization_url_skip_encode: Vec<String>,
    pub(super) token_url_skip_encode: Vec<String>,
    pub(super) authorization_url_replacements: Vec<(String, String)>,
    pub(super) authorization_url_fragment: Option<String>,
    pub(super) authorization_url_skip_empty: bool,
    pub(super) code_param: String,
    pub(super) client_auth: ClientAuth,
    pub(super) json_body: bool,
    pub(super) alternate_access_token_response_path: Option<String>,
    pub(super) token_response_metadata: Vec<String>,
    pub(super) redirect_uri_metadata: Vec<String>,
    pub(super) expiration_buffer_secs: Option<f64>,
    pub(super) expires_in_millis: bool,
    pub(super) fields: Vec<FieldSchema>,
}

impl OAuth2Provider {
    /// Reads `provider`'s OAuth 2 attributes.
    ///
    /// Errors (`oauth_provider_incomplete`, detail the attribute's name) when the `auth_mode`
    /// is not `OAUTH2` (at `["auth_mode"]`), or when `authorization_url` or `token_url` (a
    /// string, or an object whose `OAUTH2` entry is one) is missing or empty.
    pub fn from_provider(provider: &Provider) -> Result<OAuth2Provider, ValidationError> {
        let json = provider.json();
        let mut issues = Vec::new();
        let mut require = |name: &str, value: Option<&str>| {
            let found = value.filter(|s| !s.is_empty()).map(str::to_owned);
            if found.is_none() {
                issues.push(
                    Issue::new(ErrorCode::OAuthProviderIncomplete, vec![name.to_owned()])
                        .with_detail(Detail::Name(name.to_owned())),
                );
            }
            found
        };
        if *provider.auth_mode() != AuthMode::OAuth2 {
            require("auth_mode", None);
        }
        let authorization_url = require("authorization_url", text(json, "authorization_url"));
        let token_url = match json.get("token_url") {
            Some(Value::Object(by_mode)) => by_mode.get("OAUTH2").and_then(Value::as_str),
            other => other.and_then(Value::as_str),
        };
        let token_url = require("token_url", token_url);
        let (Some(authorization_url), Some(token_url), true) =
            (authorization_url, token_url, issues.is_empty())
        else {
            return Err(error(issues));
        };
        let client_auth = if text(json, "authorization_method") == Some("header") {
            ClientAuth::Header
        } else {
            ClientAuth::Body {
                basic_header: text(json, "token_request_auth_method") == Some("basic"),
            }
        };
        Ok(OAuth2Provider {
            name: provider.name().to_owned(),
            authorization_url,
            token_url,
            refresh_url: text(json, "refresh_url")
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            authorization_params: params(json.get("authorization_params")).unwrap_or_default(),
            token_params: params(json.get("token_params")).unwrap_or_default(),
            refresh_params: params(json.get("refresh_params")),
            // `provider.scope_separator || ' '`.
            scope_separator: text(json, "scope_separator")
                .filter(|s| !s.is_empty())
                .unwrap_or(" ")
                .to_owned(),
            default_scopes: strings(json.get("default_scopes")),
            disable_pkce: json.get("disable_pkce").is_some_and(truthy),
            authorization_url_skip_encode: strings(json.get("authorization_url_skip_encode")),
            token_url_skip_encode: strings(json.get("token_url_skip_encode")),
            authorization_url_replacements: params(json.get("authorization_url_replacements"))
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(find, by)| Some((find, by.as_str()?.to_owned())))
                .collect(),
            authorization_url_fragment: text(json, "authorization_url_fragment")
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            authorization_url_skip_empty: json
                .get("authorization_url_skip_empty")
                .is_some_and(truthy),
            code_param: text(json, "authorization_code_param_in_callback")
                .filter(|s| !s.is_empty())
                .unwrap_or("code")
                .to_owned(),
            client_auth,
            json_body: text(json, "body_format") == Some("json"),
            alternate_access_token_response_path: text(
                json,
                "alternate_access_token_response_path",
            )
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
            token_response_metadata: strings(json.get("token_response_metadata")),
            redirect_uri_metadata: strings(json.get("redirect_uri_metadata")),
            // `provider.token_expiration_buffer || REFRESH_MARGIN`: 0 means the default.
            expiration_buffer_secs: json
                .get("token_expiration_buffer")
                .and_then(Value::as_f64)
                .filter(|n| *n != 0.0 && n.is_finite()),
            expires_in_millis: text(json, "expires_in_unit") == Some("milliseconds"),
            fields: provider.connection_config().to_vec(),
        })
    }

    /// The catalogue name of the provider.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `authorization_url` template.
    pub fn authorization_url_template(&self) -> &str {
        &self.authorization_url
    }

    /// The `token_url` template (`token_url.OAUTH2` when the catalogue gives one per mode).
    pub fn token_url_template(&self) -> &str {
        &self.token_url
    }

    /// `default_scopes`.
    pub fn default_scopes(&self) -> &[String] {
        &self.default_scopes
    }

    /// The scopes an integration asks for, comma-separated as Nango stores them: its own, or
    /// when it has none, the provider's `default_scopes` (Nango copies those into an integration
    /// created without scopes).
    pub fn integration_scopes(&self, configured: &[String]) -> String {
        if configured.iter().any(|s| !s.is_empty()) {
            configured.join(",")
        } else {
            self.default_scopes.join(",")
        }
    }

    /// The callback's query parameter that carries the code (`code` unless
    /// `authorization_code_param_in_callback` says otherwise).
    pub fn code_param(&self) -> &str {
        &self.code_param
    }

    /// Every URL template a flow may fill in with connection_config values, and the string
    /// values of the parameter templates: what [`crate::field::check_template_values`] checks.
    pub(super) fn templates(&self) -> impl Iterator<Item = &str> {
        let params = self
            .authorization_params
            .iter()
            .chain(&self.token_params)
            .chain(self.refresh_params.iter().flatten())
            .filter_map(|(_, v)| v.as_str());
        [self.authorization_url.as_str(), self.token_url.as_str()]
            .into_iter()
            .chain(self.refresh_url.as_deref())
            .chain(params)
    }
}

fn text<'a>(json: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    json.get(key).and_then(Value::as_str)
}

/// An object's entries in JavaScript key order; `None` unless `value` is an object.
fn params(value: Option<&Value>) -> Option<Vec<(String, Value)>> {
    let Some(Value::Object(map)) = value else {
        return None;
    };
    let entries: Vec<(&String, &Value)> = map.iter().collect();
    Some(
        js_key_order(entries.iter().map(|(k, _)| k.as_str()))
            .into_iter()
            .filter_map(|i| entries.get(i))
            .map(|(k, v)| ((*k).clone(), (*v).clone()))
            .collect(),
    )
}

/// The strings of an array (anything else is no list).
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// JavaScript truthiness.
pub(crate) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

pub(super) fn error(issues: Vec<Issue>) -> ValidationError {
    match ValidationError::from_issues(issues) {
        Err(err) => err,
        // Callers pass at least one error; should one not, say the provider cannot be used.
        Ok(_) => error(vec![Issue::new(
            ErrorCode::OAuthProviderIncomplete,
            Vec::new(),
        )]),
    }
}

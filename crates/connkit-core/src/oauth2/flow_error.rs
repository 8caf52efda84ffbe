//! How a failed OAuth flow is reported to the client, in Nango's words (spec §3.5): the
//! `error_type` and `error_desc` of the WebSocket's error message
//! (`packages/server/lib/utils/web-socket-error.ts`), and the provider's error as the callback
//! page shows it (`packages/server/lib/utils/html.ts`).
//!
//! Knows nothing about WebSockets, HTML or HTTP: the server writes those.

use serde_json::{Map, Value};

use super::provider::OAuth2Provider;
use crate::interpolate::referenced_keys;
use crate::prelude::*;
use crate::{Detail, ErrorCode, ValidationError};

/// The query parameters a provider's error travels in, in the order Nango reads them.
const PROVIDER_ERROR_KEYS: [&str; 6] = [
    "error",
    "error_description",
    "error_reason",
    "error_uri",
    "status_code",
    "error_message",
];

/// The connection_config keys that hold secrets; left out of the config an error message
/// shows (Nango shows the whole config).
const SECRET_CONFIG_KEYS: [&str; 2] = [
    "oauth_client_secret_override",
    "oauth_refresh_token_override",
];

/// One failure of an OAuth flow: Nango's `error_type` and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowError {
    error_type: String,
    message: String,
}

impl FlowError {
    /// A failure named by another vocabulary: connkit reports the failures Nango answers with
    /// JSON before its OAuth flow starts (a bad session token, `integration_not_allowed`, …)
    /// with that JSON's `code` as the type and its `message` (or the code) as the text.
    pub fn new(error_type: impl Into<String>, message: impl Into<String>) -> FlowError {
        FlowError {
            error_type: error_type.into(),
            message: message.into(),
        }
    }

    /// `error_type`.
    pub fn error_type(&self) -> &str {
        &self.error_type
    }

    /// `error_desc`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// No integration has this key (`UnknownProviderConfigKey`).
    pub fn unknown_provider_config(key: &str) -> FlowError {
        FlowError::new(
            "provider_config_err",
            format!("Could not find a Provider Config matching the \"{key}\" key."),
        )
    }

    /// The integration has no client id or secret (`InvalidProviderConfig`).
    pub fn invalid_provider_config(key: &str) -> FlowError {
        FlowError::new(
            "provider_config_err",
            format!("Provider Config \"{key}\" is missing client ID, secret and/or scopes."),
        )
    }

    /// The integration's provider is not in the catalogue (`UnknownProviderTemplate`).
    pub fn unknown_provider_template(provider: &str) -> FlowError {
        FlowError::new(
            "unknown_config_key",
            format!("No Provider Configuration with key \"{provider}\"."),
        )
    }

    /// The provider's auth mode is not one this flow runs (`UnknownAuthMode`).
    pub fn unknown_auth_mode(mode: &str) -> FlowError {
        FlowError::new("auth_mode_err", format!("Auth mode {mode} not supported."))
    }

    /// The callback has no `state` (Nango's callback page text).
    pub fn missing_state() -> FlowError {
        FlowError::new("state_err", "No state found in callback")
    }

    /// No flow waits for this `state`: forged, already used, or purged (Nango's callback page
    /// text, the state written as JSON).
    pub fn unknown_state(state: &str) -> FlowError {
        FlowError::new(
            "state_err",
            format!("No session found for state: {}", Value::from(state)),
        )
    }

    /// The flow waiting for this `state` has expired (`InvalidState`).
    pub fn expired_state(state: &str) -> FlowError {
        FlowError::new(
            "state_err",
            format!("Invalid state parameter passed in the callback: {state}"),
        )
    }

    /// The callback has no authorization code (`InvalidCallbackOAuth2`), with the provider's
    /// error parameters when it sent any.
    pub fn invalid_callback(query: &Map<String, Value>) -> FlowError {
        let base = "Did not get authorization code in the callback.";
        let parts: Vec<String> = provider_error(query)
            .into_iter()
            .flatten()
            .map(|(k, v)| format!("{k}: {}", v.as_str().unwrap_or("")))
            .collect();
        let message = if parts.is_empty() {
            base.to_owned()
        } else {
            format!("{base} Provider error: {}", parts.join("; "))
        };
        FlowError::new("callback_err", message)
    }

    /// Anything else (`UnknownError`), with a detail when there is one.
    pub fn unknown(detail: Option<&str>) -> FlowError {
        let base = "Unknown error during the Oauth flow.";
        let message = match detail {
            Some(detail) => format!("{base} {detail}"),
            None => base.to_owned(),
        };
        FlowError::new("unknown_err", message)
    }

    /// connkit's redirect mode (spec §12.27): the `return_url` is no http(s) URL of an origin
    /// the server allows, so the browser is not sent there.
    pub fn return_url_refused() -> FlowError {
        FlowError::new(
            "return_url_err",
            "The return_url is not an http(s) URL of an origin this server allows.",
        )
    }

    /// How Nango reports what [`super::authorization_url`] refused: a missing or (connkit only)
    /// invalid connection_config value is `url_param_err`, an unsupported grant type
    /// `grant_type_err`, anything else `unknown_err`.
    pub fn from_authorize(
        provider: &OAuth2Provider,
        err: &ValidationError,
        connection_config: &Map<String, Value>,
    ) -> FlowError {
        let issues = err.issues();
        let named = |code: ErrorCode| -> Vec<String> {
            issues
                .iter()
                .filter(|it| it.code() == code)
                .filter_map(|it| it.path().get(1).cloned())
                .collect()
        };
        if let Some(issue) = issues
            .iter()
            .find(|it| it.code() == ErrorCode::OAuthGrantTypeUnsupported)
        {
            let grant = match issue.detail() {
                Detail::Name(name) => name.as_str(),
                _ => "",
            };
            return FlowError::new(
                "grant_type_err",
                format!("The grant type \"{grant}\" is not supported by this OAuth flow."),
            );
        }
        let missing = named(ErrorCode::InterpolationValueMissing);
        let invalid: Vec<String> = issues
            .iter()
            .filter(|it| it.code().as_str().starts_with("field_"))
            .filter_map(|it| it.path().get(1).cloned())
            .collect();
        let shown = shown_config(connection_config);
        if !missing.is_empty() {
            let url = where_missing(provider, &missing);
            return FlowError::new(
                "url_param_err",
                format!(
                    "Missing Connection Config param(s) in Auth request to interpolate url {url}. Provided Connection Config: {shown}"
                ),
            );
        }
        if !invalid.is_empty() {
            return FlowError::new(
                "url_param_err",
                format!(
                    "Invalid Connection Config param(s) in Auth request: {}. Provided Connection Config: {shown}",
                    invalid.join(", ")
                ),
            );
        }
        FlowError::unknown(None)
    }
}

/// The provider's error parameters of a callback, as the callback page's
/// `getProviderErrorObjectFromQuery` collects them: string values, trimmed, non-empty.
pub fn provider_error(query: &Map<String, Value>) -> Option<Map<String, Value>> {
    let found: Map<String, Value> = PROVIDER_ERROR_KEYS
        .iter()
        .filter_map(|key| {
            let value = query.get(*key)?.as_str()?.trim();
            (!value.is_empty()).then(|| ((*key).to_owned(), Value::from(value)))
        })
        .collect();
    (!found.is_empty()).then_some(found)
}

/// Which template Nango names in its `url_param_err`: the authorize URL, else the parameters
/// that need a missing key.
fn where_missing(provider: &OAuth2Provider, missing: &[String]) -> String {
    let needs = |template: &str| {
        referenced_keys(template)
            .iter()
            .any(|k| missing.contains(k))
    };
    if needs(&provider.authorization_url) {
        return provider.authorization_url.clone();
    }
    let in_params =
        |params: &[(String, Value)]| params.iter().filter_map(|(_, v)| v.as_str()).any(needs);
    if in_params(&provider.authorization_params) {
        "authorization_params".to_owned()
    } else if in_params(&provider.token_params) {
        "token_params".to_owned()
    } else {
        provider.authorization_url.clone()
    }
}

/// The connection_config as the message shows it, without its secrets.
fn shown_config(config: &Map<String, Value>) -> String {
    let shown: Map<String, Value> = config
        .iter()
        .filter(|(k, _)| !SECRET_CONFIG_KEYS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(shown).to_string()
}

#[cfg(all(test, feature = "ecmascript-regex"))]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::catalogue::Provider;
    use crate::interpolate::Generated;
    use crate::oauth2::{AuthorizeRequest, authorization_url};
    use crate::pattern::EcmaRegex;

    #[test]
    fn url_param_err_names_the_template_in_nangos_words_without_secrets() {
        let entry = json!({"display_name": "P", "auth_mode": "OAUTH2",
            "authorization_url": "https://h.example/authorize", "token_url": "https://h.example/token",
            "authorization_params": {"realm": "${connectionConfig.tenantName}"}});
        let provider = Provider::from_json("p", &entry).map_err(|e| e.to_string());
        let oauth =
            provider.and_then(|p| OAuth2Provider::from_provider(&p).map_err(|e| e.to_string()));
        let oauth = oauth.unwrap_or_else(|e| panic!("{e}"));
        let config = json!({"region": "eu", "oauth_client_secret_override": "s3cr3t"});
        let config = config.as_object().cloned().unwrap_or_default();
        let request = AuthorizeRequest {
            client_id: "c",
            redirect_uri: "https://r.example/cb",
            scopes: "",
            state: "s",
            code_verifier: "v",
            connection_config: &config,
            authorization_params: &[],
            user_scope: None,
            generated: Generated {
                random: "r",
                now: "n",
            },
        };
        let err = authorization_url(&oauth, &request, &EcmaRegex::new()).unwrap_err();
        let flow = FlowError::from_authorize(&oauth, &err, &config);
        assert_eq!(flow.error_type(), "url_param_err");
        assert_eq!(
            flow.message(),
            "Missing Connection Config param(s) in Auth request to interpolate url authorization_params. Provided Connection Config: {\"region\":\"eu\"}"
        );
    }
}

//! What comes back (spec §3.3, §5.2, §6.3): the provider's callback (the code, or its error,
//! and the `redirect_uri_metadata`), the token endpoint's answer read into the OAUTH2
//! credentials a connection stores, and the connection_config the connection keeps.
//!
//! A token answer is read as simple-oauth2 5.1.0 and Nango's `parseRawCredentials` read it.
//! simple-oauth2 first adds `expires_at` to the raw answer (from `expires_at`, a number of
//! seconds or a date string, else from `now + parseInt(expires_in) × 1000`), so the stored `raw`
//! holds it too, as `toISOString()` text (`null` when the date is invalid). The access token is
//! `access_token`, else what `alternate_access_token_response_path` points to (when that is an
//! object, its own `access_token`, `refresh_token` and expiry are used). The credentials are
//! `{type: "OAUTH2", access_token, refresh_token?, expires_at?, raw}`. connkit also honours
//! `expires_in_unit: milliseconds` (Nango reads it for OAUTH2_CC only; no OAUTH2 provider of the
//! catalogue sets it).
//!
//! Knows nothing about HTTP, storage or sessions.

use serde_json::{Map, Value};

use super::provider::{OAuth2Provider, error, truthy};
use crate::js::{parse_date, to_iso_string, to_js_string};
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue, ValidationError};

/// A token endpoint's answer, read.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenResponse {
    credentials: Map<String, Value>,
    metadata: Map<String, Value>,
}

impl TokenResponse {
    /// The OAUTH2 credentials object a connection stores.
    pub fn credentials(&self) -> &Map<String, Value> {
        &self.credentials
    }

    /// The `token_response_metadata` values found in the answer.
    pub fn metadata(&self) -> &Map<String, Value> {
        &self.metadata
    }
}

/// Reads a token endpoint's JSON answer at time `now_ms` (Unix milliseconds).
///
/// Errors: `oauth_token_response_invalid` at `[]` when `body` is not an object or yields no
/// access token.
pub fn read_token_response(
    provider: &OAuth2Provider,
    body: &Value,
    now_ms: i64,
) -> Result<TokenResponse, ValidationError> {
    let Value::Object(answer) = body else {
        return Err(invalid_response());
    };
    let multiplier = if provider.expires_in_millis {
        1.0
    } else {
        1000.0
    };
    let mut raw = answer.clone();
    // simple-oauth2's `parseToken`.
    let computed = if let Some(at) = answer.get("expires_at") {
        Some(match at {
            Value::Number(n) => n.as_f64().and_then(|secs| time(secs * 1000.0)),
            Value::String(s) => parse_date(s),
            _ => None,
        })
    } else {
        answer
            .get("expires_in")
            .map(|v| parse_int(v).and_then(|n| time(now_ms as f64 + n * multiplier)))
    };
    if let Some(at) = computed {
        let text = at
            .and_then(to_iso_string)
            .map_or(Value::Null, Value::String);
        raw.insert("expires_at".to_owned(), text);
    }
    // Nango's `parseRawCredentials`.
    let mut access_token = raw.get("access_token").filter(|v| truthy(v)).cloned();
    let mut context: Option<&Map<String, Value>> = None;
    if access_token.is_none()
        && let Some(path) = &provider.alternate_access_token_response_path
    {
        match value_at_path(&raw, path) {
            Some(Value::Object(inner)) => {
                access_token = inner.get("access_token").cloned();
                context = Some(inner);
            }
            other => access_token = other.cloned(),
        }
    }
    let Some(access_token) = access_token.filter(truthy) else {
        return Err(invalid_response());
    };
    let (expires_at, refresh_token) = match context {
        None => (computed, raw.get("refresh_token").cloned()),
        Some(inner) => (
            inner_expiry(inner, now_ms, multiplier),
            inner.get("refresh_token").cloned(),
        ),
    };
    let mut credentials = Map::new();
    credentials.insert("type".to_owned(), Value::from("OAUTH2"));
    credentials.insert("access_token".to_owned(), access_token);
    if let Some(token) = refresh_token {
        credentials.insert("refresh_token".to_owned(), token);
    }
    // An invalid date is written as JSON writes one: `null`.
    if let Some(at) = expires_at {
        let text = at
            .and_then(to_iso_string)
            .map_or(Value::Null, Value::String);
        credentials.insert("expires_at".to_owned(), text);
    }
    let metadata = token_metadata(&raw, &provider.token_response_metadata);
    credentials.insert("raw".to_owned(), Value::Object(raw));
    Ok(TokenResponse {
        credentials,
        metadata,
    })
}

/// The credentials after a refresh: the new answer read, keeping the old `refresh_token` when
/// the provider sent none, and a `config_override` holding both a client id and secret.
pub fn refreshed_credentials(
    provider: &OAuth2Provider,
    old: &Value,
    body: &Value,
    now_ms: i64,
) -> Result<Map<String, Value>, ValidationError> {
    let mut credentials = read_token_response(provider, body, now_ms)?.credentials;
    let fresh = credentials.get("refresh_token").is_some_and(truthy);
    if let Some(token) = old.get("refresh_token").filter(|v| !v.is_null() && !fresh) {
        credentials.insert("refresh_token".to_owned(), token.clone());
    }
    if let Some((id, secret)) = stored_client(old) {
        let mut over = Map::new();
        over.insert("client_id".to_owned(), Value::from(id));
        over.insert("client_secret".to_owned(), Value::from(secret));
        credentials.insert("config_override".to_owned(), Value::Object(over));
    }
    Ok(credentials)
}

/// A connection's own OAuth client (`credentials.config_override`), when it holds both an id
/// and a secret: a refresh then authenticates as that client.
pub fn stored_client(credentials: &Value) -> Option<(&str, &str)> {
    let over = credentials.get("config_override")?;
    let text = |key| {
        over.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    Some((text("client_id")?, text("client_secret")?))
}

/// The authorization code the callback carries (in `code`, or the provider's
/// `authorization_code_param_in_callback`).
///
/// Errors: `oauth_callback_error` at `[param]` when it is missing or empty; the detail is the
/// provider's `error` parameter (such as `access_denied`), if it sent one.
pub fn callback_code(
    provider: &OAuth2Provider,
    query: &Map<String, Value>,
) -> Result<String, ValidationError> {
    match query.get(&provider.code_param) {
        Some(Value::String(code)) if !code.is_empty() => Ok(code.clone()),
        _ => {
            let mut issue = Issue::new(
                ErrorCode::OAuthCallbackError,
                vec![provider.code_param.clone()],
            );
            if let Some(Value::String(reason)) = query.get("error") {
                issue = issue.with_detail(Detail::Name(reason.clone()));
            }
            Err(error(vec![issue]))
        }
    }
}

/// The callback's parameters the provider lists in `redirect_uri_metadata`, string values only
/// (`getConnectionMetadataFromCallbackRequest`).
pub fn callback_metadata(
    provider: &OAuth2Provider,
    query: &Map<String, Value>,
) -> Map<String, Value> {
    query
        .iter()
        .filter(|(k, v)| v.is_string() && provider.redirect_uri_metadata.contains(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The connection_config the token URL and parameters are filled in from: the callback's
/// metadata under the flow's connection_config (`{...callbackMetadata, ...session}`).
pub fn token_stage_config(
    session_config: &Map<String, Value>,
    callback_metadata: &Map<String, Value>,
) -> Map<String, Value> {
    let mut out = callback_metadata.clone();
    for (k, v) in session_config {
        out.insert(k.clone(), v.clone());
    }
    out
}

/// The credentials and connection_config a new or re-authorised connection stores, as Nango's
/// callback assembles them: `{...tokenMetadata, ...callbackMetadata, ...flowConfig}`, where a
/// flow value of `''` takes the metadata's value for its key; then the per-connection overrides
/// move out of the connection_config: `oauth_client_id_override` and
/// `oauth_client_secret_override` into `credentials.config_override`, and
/// `oauth_refresh_token_override` into the refresh token (with `overrideTokenRefresh: true`);
/// `oauth_scopes_override` is split at commas.
pub fn finish_connection(
    response: &TokenResponse,
    flow_config: &Map<String, Value>,
    callback_metadata: &Map<String, Value>,
) -> (Map<String, Value>, Map<String, Value>) {
    let token_metadata = &response.metadata;
    let mut config = token_metadata.clone();
    for (k, v) in callback_metadata {
        config.insert(k.clone(), v.clone());
    }
    for (key, value) in flow_config {
        let taken = if value.as_str() != Some("") {
            Some(value.clone())
        } else if token_metadata.contains_key(key) || callback_metadata.contains_key(key) {
            // `tokenMetadata[key] || callbackMetadata[key]`: undefined leaves no key.
            token_metadata
                .get(key)
                .filter(|v| truthy(v))
                .or_else(|| callback_metadata.get(key))
                .cloned()
        } else {
            Some(Value::from(""))
        };
        match taken {
            Some(v) => {
                config.insert(key.clone(), v);
            }
            None => {
                config.shift_remove(key);
            }
        }
    }
    let mut credentials = response.credentials.clone();
    let mut over = Map::new();
    for (key, slot) in [
        ("oauth_client_id_override", "client_id"),
        ("oauth_client_secret_override", "client_secret"),
    ] {
        if let Some(value) = config.get(key).filter(|v| truthy(v)).cloned() {
            over.insert(slot.to_owned(), value);
            config.shift_remove(key);
            credentials.insert("config_override".to_owned(), Value::Object(over.clone()));
        }
    }
    if let Some(Value::String(scopes)) = config.get("oauth_scopes_override").filter(|v| truthy(v)) {
        let list: Vec<Value> = scopes.split(',').map(Value::from).collect();
        config.insert("oauth_scopes_override".to_owned(), Value::Array(list));
    }
    if let Some(token) = config
        .get("oauth_refresh_token_override")
        .filter(|v| truthy(v))
        .cloned()
    {
        credentials.insert("refresh_token".to_owned(), token.clone());
        if let Some(Value::Object(raw)) = credentials.get_mut("raw") {
            raw.insert("refresh_token".to_owned(), token);
        }
        config.shift_remove("oauth_refresh_token_override");
        config.insert("overrideTokenRefresh".to_owned(), Value::Bool(true));
    }
    (credentials, config)
}

fn invalid_response() -> ValidationError {
    error(vec![Issue::new(
        ErrorCode::OAuthTokenResponseInvalid,
        Vec::new(),
    )])
}

/// A time value from a float, when a `Date` holds it.
pub(crate) fn time(ms: f64) -> Option<i64> {
    const MAX: f64 = 8.64e15;
    // `as` drops the fraction (toward zero, as `trunc`), and MAX keeps the value in range.
    (ms.is_finite() && ms.abs() <= MAX).then_some(ms as i64)
}

/// `Number.parseInt(String(value), 10)`; `None` for `NaN`.
pub(crate) fn parse_int(value: &Value) -> Option<f64> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(_) => to_js_string(value),
        _ => return None,
    };
    let trimmed = text.trim_start();
    let (sign, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (-1.0, &trimmed[1..]),
        Some(b'+') => (1.0, &trimmed[1..]),
        _ => (1.0, trimmed),
    };
    let digits: &str = &digits[..digits.bytes().take_while(u8::is_ascii_digit).count()];
    if digits.is_empty() {
        return None;
    }
    digits.parse::<f64>().ok().map(|n| sign * n)
}

/// The expiry of an alternate token object: `parseTokenExpirationDate(expires_at)` (absent when
/// unreadable), else `now + parseInt(expires_in)` (`Some(None)`, an invalid date, when that is
/// `NaN`).
fn inner_expiry(inner: &Map<String, Value>, now_ms: i64, multiplier: f64) -> Option<Option<i64>> {
    if let Some(at) = inner.get("expires_at").filter(|v| truthy(v)) {
        return parse_expiration_date(at).map(Some);
    }
    let expires_in = inner.get("expires_in").filter(|v| truthy(v))?;
    Some(parse_int(expires_in).and_then(|n| time(now_ms as f64 + n * multiplier)))
}

/// Nango's `parseTokenExpirationDate`: a number is milliseconds when it reads as a date after
/// 1971, else seconds; a string is a date; anything else, or an invalid date, is `None`.
pub(crate) fn parse_expiration_date(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_f64().and_then(|n| {
            let year_1972 = 63_072_000_000.0;
            time(if n >= year_1972 { n } else { n * 1000.0 })
        }),
        Value::String(s) => parse_date(s),
        _ => None,
    }
}

/// lodash's `get(object, path)` for `a.b` and `a[0].b` paths.
pub(crate) fn value_at_path<'a>(object: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut keys: Vec<&str> = Vec::new();
    for part in path.split('.') {
        let mut rest = part;
        while let Some(open) = rest.find('[') {
            if open > 0 {
                keys.push(&rest[..open]);
            }
            let close = rest[open..].find(']')? + open;
            keys.push(rest[open + 1..close].trim_matches(['"', '\'']));
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            keys.push(rest);
        }
    }
    let (first, others) = keys.split_first()?;
    let mut current = object.get(*first)?;
    for key in others {
        current = match current {
            Value::Object(map) => map.get(*key)?,
            Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Nango's `getConnectionMetadata(answer, provider, 'token_response_metadata')`: top-level
/// string or boolean values whose key is listed (or, oddly, whose value is a listed key), then
/// each listed key read as a dot path, string or boolean values only.
pub(crate) fn token_metadata(answer: &Map<String, Value>, listed: &[String]) -> Map<String, Value> {
    let mut out = Map::new();
    if listed.is_empty() {
        return out;
    }
    let scalar = |v: &Value| v.is_string() || v.is_boolean();
    for (key, value) in answer {
        let named = listed.contains(key)
            || value
                .as_str()
                .is_some_and(|s| listed.iter().any(|l| l == s));
        if scalar(value) && named {
            out.insert(key.clone(), value.clone());
        }
    }
    for key in listed {
        let mut current = Some(answer.get(key.split('.').next().unwrap_or("")));
        for part in key.split('.').skip(1) {
            current = current.map(|v| match v {
                Some(Value::Object(map)) => map.get(part),
                _ => None,
            });
        }
        if let Some(Some(value)) = current.filter(|v| v.is_some_and(scalar)) {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

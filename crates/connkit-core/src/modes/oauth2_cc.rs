//! OAUTH2_CC: the OAuth 2 client-credentials grant, as Nango's `oauth2RequestCC` and
//! `getOauthClientCredentials` run it (`packages/server/lib/controllers/oauth.controller.ts`,
//! `packages/shared/lib/services/connection.service.ts`; spec §3.3, §3.9).
//!
//! The body names the client (`client_id`, and `client_secret` or `client_private_key`); the
//! token request is a POST to the interpolated `token_url` (a string: a per-mode object is
//! `missing_token_url`) whose parameters are, in order: the client (`client_id` and
//! `client_secret`; `username` and `password` for `token_request_auth_method: custom`; none
//! for `basic`, which sends `Authorization: Basic base64(id:secret)`), the provider's
//! `token_params` (values interpolated from the connection_config, anything else as
//! `String(value)`), `scope` (the connection_config's `oauth_scopes`, commas replaced by the
//! provider's `scope_separator`), then the connection_config's `authorization_params`, each
//! replacing a parameter of its name. `body_format` `form` (the default) and `json` send them as
//! a body with their `Content-Type`; `query` sends them in the URL, without a body or a content
//! type. A client certificate and key (both given) are presented in the TLS handshake.
//!
//! The answer's token is `access_token`, else `data.token`, else `jwt`; its expiry
//! `expires_at` (`parseTokenExpirationDate`), else `expires_in` seconds (milliseconds with
//! `expires_in_unit: milliseconds`), else 55 minutes. The credentials are `{type: "OAUTH2_CC",
//! token, client_id, client_secret, expires_at, raw, client_certificate?, client_private_key?}`;
//! a refresh sends the same request with the stored client and replaces them.
//!
//! `private_key_jwt` sends `client_id`, `client_assertion_type` and an RS256 `client_assertion`
//! signed with the RSA private JWK in `client_private_key` (`sign.rs`).
//!
//! connkit departs from Nango in two places (spec §12): a non-JSON 2xx answer or one without a
//! token is `auth_token_missing` (Nango answers 500), and the server verifies the token endpoint's
//! TLS certificate even with a client certificate (Nango's agent sets `rejectUnauthorized:
//! false`).
//!
//! Knows nothing about HTTP clients, storage or sessions.

use serde_json::{Map, Value};

use super::failure::{Failure, ModeError, incomplete, invalid, issue, missing_token_url};
use super::http::{ClientIdentity, HttpRequest, HttpResponse};
use super::pem::format_pem;
use super::sign::{jwk_key, jws_header, sign_jwt};
use crate::catalogue::{AuthMode, FieldSchema, Provider};
use crate::field::check_template_values;
use crate::interpolate::{Encoding, interpolate_url};
use crate::interpolate::{Generated, interpolate_param};
use crate::js::url::{ParsedUrl, parse};
use crate::js::{
    base64, json_stringify, parse_date, to_iso_string, to_js_string, url_search_params,
};
use crate::limits::OAUTH2_CC_DEFAULT_EXPIRES_MS;
use crate::oauth2::{parse_expiration_date, parse_int, time, token_metadata, truthy};
use crate::pattern::PatternMatcher;
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue};

/// How the token request sends its parameters (`body_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyFormat {
    Form,
    Json,
    Query,
}

/// How the client authenticates (`token_request_auth_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClientAuth {
    /// `client_id` and `client_secret` parameters.
    Params,
    /// `Authorization: Basic`.
    Basic,
    /// `username` and `password` parameters.
    Custom,
    /// A signed client assertion (not implemented).
    PrivateKeyJwt,
}

/// One OAUTH2_CC catalogue entry's client-credentials attributes, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientCredentialsProvider {
    token_url: Option<String>,
    token_params: Vec<(String, Value)>,
    scope_separator: String,
    body_format: BodyFormat,
    client_auth: ClientAuth,
    token_response_metadata: Vec<String>,
    expires_in_millis: bool,
    expiration_buffer_secs: Option<f64>,
    fields: Vec<FieldSchema>,
}

impl ClientCredentialsProvider {
    /// Reads an OAUTH2_CC entry. Errors: `auth_provider_incomplete` at `["auth_mode"]` for any
    /// other mode. A missing token URL is reported when a request is built, as Nango does.
    pub fn from_provider(provider: &Provider) -> Result<ClientCredentialsProvider, ModeError> {
        if *provider.auth_mode() != AuthMode::OAuth2Cc {
            let message = "The provider's auth mode is not OAUTH2_CC.";
            return Err(incomplete("invalid_auth_mode", message, "auth_mode").into());
        }
        let json = provider.json();
        let text = |key: &str| json.get(key).and_then(Value::as_str);
        let token_params = match json.get("token_params") {
            Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            _ => Vec::new(),
        };
        Ok(ClientCredentialsProvider {
            token_url: text("token_url")
                .filter(|s| !s.trim().is_empty())
                .map(str::to_owned),
            token_params,
            scope_separator: text("scope_separator")
                .filter(|s| !s.is_empty())
                .unwrap_or(" ")
                .to_owned(),
            body_format: match text("body_format") {
                Some("json") => BodyFormat::Json,
                Some("query") => BodyFormat::Query,
                _ => BodyFormat::Form,
            },
            client_auth: match text("token_request_auth_method") {
                Some("basic") => ClientAuth::Basic,
                Some("custom") => ClientAuth::Custom,
                Some("private_key_jwt") => ClientAuth::PrivateKeyJwt,
                _ => ClientAuth::Params,
            },
            token_response_metadata: json
                .get("token_response_metadata")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            expires_in_millis: text("expires_in_unit") == Some("milliseconds"),
            expiration_buffer_secs: json
                .get("token_expiration_buffer")
                .and_then(Value::as_f64)
                .filter(|n| *n != 0.0 && n.is_finite()),
            fields: provider.connection_config().to_vec(),
        })
    }

    /// `token_expiration_buffer` in seconds (`None`: the default margin).
    pub fn expiration_buffer_secs(&self) -> Option<f64> {
        self.expiration_buffer_secs
    }
}

/// The client a connection authenticates as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientCredentials {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret` (`None` when the body sent none, or an empty one).
    pub client_secret: Option<String>,
    /// `client_certificate`, PEM.
    pub client_certificate: Option<String>,
    /// `client_private_key`, PEM (or a JWK for `private_key_jwt`).
    pub client_private_key: Option<String>,
}

impl ClientCredentials {
    /// The client of a POST /oauth2/auth body, checked as the handler checks it first:
    /// `missing_client_id` without a `client_id`, `missing_client_secret` without a secret or a
    /// private key (empty strings count as missing).
    pub fn from_body(body: &Value) -> Result<ClientCredentials, ModeError> {
        let text = |key: &str| {
            body.get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let Some(client_id) = text("client_id") else {
            return Err(missing("missing_client_id", "oauth_client_id", "client_id"));
        };
        let client = ClientCredentials {
            client_id,
            client_secret: text("client_secret"),
            client_certificate: text("client_certificate"),
            client_private_key: text("client_private_key"),
        };
        if client.client_secret.is_none() && client.client_private_key.is_none() {
            return Err(missing(
                "missing_client_secret",
                "oauth_client_secret",
                "client_secret",
            ));
        }
        Ok(client)
    }

    /// The client stored in OAUTH2_CC credentials, for a refresh.
    pub fn from_stored(credentials: &Value) -> Option<ClientCredentials> {
        let text = |key: &str| {
            credentials
                .get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Some(ClientCredentials {
            client_id: text("client_id")?,
            client_secret: text("client_secret"),
            client_certificate: text("client_certificate"),
            client_private_key: text("client_private_key"),
        })
    }
}

/// Nango's `Missing param '…'.` failures, at the body member.
fn missing(code: &'static str, param: &str, member: &str) -> ModeError {
    Failure::new(
        code,
        format!("Missing param '{param}'."),
        Issue::new(ErrorCode::ValueRequired, vec![member.to_owned()]),
    )
    .into()
}

/// The connection_config a new connection starts from: the integration's scopes (comma
/// separated) as `oauth_scopes` unless the connection_config names its own.
pub fn client_credentials_config(
    mut connection_config: Map<String, Value>,
    integration_scopes: &str,
) -> Map<String, Value> {
    let has_own = connection_config.get("oauth_scopes").is_some_and(truthy);
    if !integration_scopes.is_empty() && !has_own {
        connection_config.insert("oauth_scopes".to_owned(), Value::from(integration_scopes));
    }
    connection_config
}

/// The token request. Errors: connection_config values the token URL and parameters need
/// (missing, or refused by their field's rule: `["connection_config", key]`), then Nango's
/// `missing_token_url`, `missing_client_secret` (Basic and custom auth need one),
/// `invalid_certificate_or_key_format`, and for `private_key_jwt` `missing_client_private_key`,
/// `invalid_client_private_key_format` and `failed_to_sign`.
pub fn client_credentials_request(
    provider: &ClientCredentialsProvider,
    client: &ClientCredentials,
    connection_config: &Map<String, Value>,
    generated: Generated<'_>,
    matcher: &dyn PatternMatcher,
) -> Result<HttpRequest, ModeError> {
    let Some(token_url) = &provider.token_url else {
        return Err(missing_token_url().into());
    };
    let templates = core::iter::once(token_url.as_str())
        .chain(provider.token_params.iter().filter_map(|(_, v)| v.as_str()));
    let issues = check_template_values(&provider.fields, templates, connection_config, matcher);
    if !issues.is_empty() {
        return Err(ModeError::Config(invalid(issues)));
    }
    let url = token_url_href(token_url, connection_config)?;
    let mut headers = Vec::new();
    if provider.body_format != BodyFormat::Query {
        let content_type = match provider.body_format {
            BodyFormat::Json => "application/json",
            _ => "application/x-www-form-urlencoded",
        };
        headers.push(("Content-Type".to_owned(), content_type.to_owned()));
    }
    let mut params: Vec<(String, String)> = Vec::new();
    let secret = || {
        client.client_secret.clone().ok_or_else(|| {
            missing(
                "missing_client_secret",
                "oauth_client_secret",
                "client_secret",
            )
        })
    };
    match provider.client_auth {
        ClientAuth::Basic => {
            let pair = format!("{}:{}", client.client_id, secret()?);
            headers.push((
                "Authorization".to_owned(),
                format!("Basic {}", base64(pair.as_bytes())),
            ));
        }
        ClientAuth::Custom => {
            params.push(("username".to_owned(), client.client_id.clone()));
            params.push(("password".to_owned(), secret()?));
        }
        ClientAuth::PrivateKeyJwt => {
            let assertion = private_key_jwt(client, &url, generated)?;
            params.push(("client_id".to_owned(), client.client_id.clone()));
            params.push((
                "client_assertion_type".to_owned(),
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
            ));
            params.push(("client_assertion".to_owned(), assertion));
        }
        ClientAuth::Params => {
            params.push(("client_id".to_owned(), client.client_id.clone()));
            if let Some(secret) = &client.client_secret {
                params.push(("client_secret".to_owned(), secret.clone()));
            }
        }
    }
    for (name, value) in &provider.token_params {
        let text = match value {
            Value::String(template) => interpolate_param(template, connection_config, generated),
            other => to_js_string(other),
        };
        params.push((name.clone(), text));
    }
    if let Some(Value::String(scopes)) = connection_config.get("oauth_scopes")
        && !scopes.is_empty()
    {
        // Nango appends `scope=${encodeURIComponent(scope)}` to the parameters' text and reads
        // it back: the value as it is.
        let scope = scopes
            .split(',')
            .collect::<Vec<_>>()
            .join(&provider.scope_separator);
        params.push(("scope".to_owned(), scope));
    }
    if let Some(Value::Object(extra)) = connection_config.get("authorization_params") {
        for (name, value) in extra {
            set_param(&mut params, name, to_js_string(value));
        }
    }
    let identity = match (&client.client_certificate, &client.client_private_key) {
        (Some(cert), Some(key)) => Some(client_identity(cert, key)?),
        _ => None,
    };
    let pairs = params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let mut request = match provider.body_format {
        BodyFormat::Query => {
            let query = url_search_params(pairs);
            let url = match (query.is_empty(), url.contains('?')) {
                (true, _) => url,
                (false, true) => format!("{url}&{query}"),
                (false, false) => format!("{url}?{query}"),
            };
            HttpRequest::post(url, headers, None)
        }
        BodyFormat::Json => {
            let mut object = Map::new();
            for (name, value) in &params {
                object.insert(name.clone(), Value::String(value.clone()));
            }
            HttpRequest::post(url, headers, Some(json_stringify(&Value::Object(object))))
        }
        BodyFormat::Form => HttpRequest::post(url, headers, Some(url_search_params(pairs))),
    };
    request.client_identity = identity;
    Ok(request)
}

/// `private_key_jwt`'s client assertion: RS256 with the RSA private JWK in
/// `client_private_key` (its `kid`, which jsonwebtoken's `keyid` option needs as a string, in
/// the header), payload `{iss, sub: client_id, aud: the token URL, iat, exp: iat + 300, jti}`.
fn private_key_jwt(
    client: &ClientCredentials,
    url: &str,
    generated: Generated<'_>,
) -> Result<String, ModeError> {
    let fail = |code: &'static str, message: &str| -> ModeError {
        Failure::new(
            code,
            message,
            issue(
                ErrorCode::PemInvalid,
                &["client_private_key"],
                Detail::Name("client_private_key".to_owned()),
            ),
        )
        .into()
    };
    let Some(text) = &client.client_private_key else {
        return Err(fail(
            "missing_client_private_key",
            "Missing param 'client_private_key'.",
        ));
    };
    let Some((key, kid)) = jwk_key(text) else {
        return Err(fail(
            "invalid_client_private_key_format",
            "The client private key is not an RSA private JWK.",
        ));
    };
    let Some(kid @ Value::String(_)) = kid else {
        return Err(fail(
            "failed_to_sign",
            "The client private JWK has no `kid` (\"keyid\" must be a string).",
        ));
    };
    let now = parse_date(generated.now).unwrap_or(0).div_euclid(1000);
    let mut payload = Map::new();
    payload.insert("iss".to_owned(), Value::from(client.client_id.as_str()));
    payload.insert("sub".to_owned(), Value::from(client.client_id.as_str()));
    payload.insert("aud".to_owned(), Value::from(url));
    payload.insert("iat".to_owned(), Value::from(now));
    payload.insert("exp".to_owned(), Value::from(now + 300));
    payload.insert("jti".to_owned(), Value::from(generated.random));
    let header = jws_header("RS256", Some(kid), &Map::new());
    sign_jwt(&header, &payload, &key, generated.random).map_err(|_| {
        fail(
            "failed_to_sign",
            "The client private key cannot sign RS256 (an RSA key of 2048 bits or more).",
        )
    })
}

/// `makeUrl(token_url, connection_config).href`: the template filled in (values
/// `encodeURIComponent`-ed) and read by the URL parser. Errors at the connection_config as
/// `interpolate_url` reports them, or `interpolation_url_invalid` at `[]`.
pub(crate) fn token_url_href(
    template: &str,
    connection_config: &Map<String, Value>,
) -> Result<String, ModeError> {
    let text = interpolate_url(template, connection_config, Encoding::Component)
        .map_err(ModeError::Config)?;
    match parse(&text) {
        Some(ParsedUrl::Special(url)) => Ok(url.href),
        _ => Err(ModeError::Config(invalid(vec![Issue::new(
            ErrorCode::InterpolationUrlInvalid,
            Vec::new(),
        )]))),
    }
}

/// `URLSearchParams.set`: the first parameter of the name takes the value, the others go; a
/// new name is appended.
fn set_param(params: &mut Vec<(String, String)>, name: &str, value: String) {
    match params.iter().position(|(k, _)| k == name) {
        Some(at) => {
            if let Some(slot) = params.get_mut(at) {
                slot.1 = value;
            }
            let mut idx = 0;
            params.retain(|(k, _)| {
                idx += 1;
                idx - 1 == at || k != name
            });
        }
        None => params.push((name.to_owned(), value)),
    }
}

/// The certificate and key as `formatPem` writes them, each required to be PEM.
fn client_identity(certificate: &str, key: &str) -> Result<ClientIdentity, ModeError> {
    let bad = |member: &str| -> ModeError {
        Failure::new(
            "invalid_certificate_or_key_format",
            "The client certificate or its private key is not valid PEM.",
            issue(
                ErrorCode::PemInvalid,
                &[member],
                Detail::Name(member.to_owned()),
            ),
        )
        .into()
    };
    Ok(ClientIdentity {
        certificate_pem: format_pem(certificate, "CERTIFICATE")
            .ok_or_else(|| bad("client_certificate"))?,
        private_key_pem: format_pem(key, "PRIVATE KEY").ok_or_else(|| bad("client_private_key"))?,
    })
}

/// What a token endpoint's answer gives a connection.
#[derive(Debug, Clone, PartialEq)]
pub struct Obtained {
    /// The credentials a connection stores.
    pub credentials: Map<String, Value>,
    /// The `token_response_metadata` values, which join the connection_config.
    pub metadata: Map<String, Value>,
}

/// Reads the token endpoint's answer at `now_ms`. Errors: `client_credentials_fetch_error`
/// (`auth_provider_refused`, detail the status) for a status of 300 or more, its `payload` the
/// provider's answer as Nango's `stringifyError` writes it; `incomplete_raw_credentials`
/// (`auth_token_missing`) for an answer without a token.
pub fn client_credentials_response(
    provider: &ClientCredentialsProvider,
    client: &ClientCredentials,
    response: &HttpResponse,
    now_ms: i64,
) -> Result<Obtained, ModeError> {
    if response.status >= 300 {
        return Err(refused(response).into());
    }
    let raw = match response.data() {
        Value::Object(map) => map,
        _ => return Err(token_missing().into()),
    };
    let token = ["access_token"]
        .iter()
        .find_map(|k| raw.get(*k).filter(|v| truthy(v)))
        .or_else(|| {
            raw.get("data")
                .filter(|v| truthy(v))
                .and_then(|d| d.get("token"))
                .filter(|v| truthy(v))
        })
        .or_else(|| raw.get("jwt").filter(|v| truthy(v)))
        .cloned();
    let Some(token) = token else {
        return Err(token_missing().into());
    };
    let expires_at = if let Some(at) = raw.get("expires_at").filter(|v| truthy(v)) {
        parse_expiration_date(at)
    } else if let Some(expires_in) = raw.get("expires_in").filter(|v| truthy(v)) {
        let multiplier = if provider.expires_in_millis {
            1.0
        } else {
            1000.0
        };
        parse_int(expires_in).and_then(|n| time(now_ms as f64 + n * multiplier))
    } else {
        Some(now_ms.saturating_add(OAUTH2_CC_DEFAULT_EXPIRES_MS))
    };
    let mut credentials = Map::new();
    credentials.insert("type".to_owned(), Value::from("OAUTH2_CC"));
    credentials.insert("token".to_owned(), token);
    credentials.insert(
        "client_id".to_owned(),
        Value::from(client.client_id.clone()),
    );
    credentials.insert(
        "client_secret".to_owned(),
        Value::from(client.client_secret.clone().unwrap_or_default()),
    );
    // An invalid date is written as JSON writes one: `null`.
    let expires = expires_at
        .and_then(to_iso_string)
        .map_or(Value::Null, Value::String);
    credentials.insert("expires_at".to_owned(), expires);
    let metadata = token_metadata(&raw, &provider.token_response_metadata);
    credentials.insert("raw".to_owned(), Value::Object(raw));
    for (key, value) in [
        ("client_certificate", &client.client_certificate),
        ("client_private_key", &client.client_private_key),
    ] {
        if let Some(value) = value {
            credentials.insert(key.to_owned(), Value::from(value.clone()));
        }
    }
    Ok(Obtained {
        credentials,
        metadata,
    })
}

/// `client_credentials_fetch_error`, its message as Nango writes it (`Failed to fetch client
/// credentials token: ` and the JSON of the payload), its payload `stringifyError` of the
/// provider's answer: `{"response":{"data":…}}` as text.
fn refused(response: &HttpResponse) -> Failure {
    let mut inner = Map::new();
    inner.insert("data".to_owned(), response.data());
    let mut outer = Map::new();
    outer.insert("response".to_owned(), Value::Object(inner));
    let payload = Value::String(json_stringify(&Value::Object(outer)));
    Failure::new(
        "client_credentials_fetch_error",
        format!(
            "Failed to fetch client credentials token: {}",
            json_stringify(&payload)
        ),
        issue(
            ErrorCode::AuthProviderRefused,
            &[],
            Detail::Limit(usize::from(response.status)),
        ),
    )
    .with_payload(payload)
}

/// The token endpoint gave no answer (no connection, a timeout): `client_credentials_fetch_error`
/// (`auth_provider_refused`, no status), Nango's message around connkit's sentence.
pub fn client_credentials_unreachable() -> ModeError {
    let payload = Value::from("The token endpoint could not be reached.");
    Failure::new(
        "client_credentials_fetch_error",
        format!(
            "Failed to fetch client credentials token: {}",
            json_stringify(&payload)
        ),
        Issue::new(ErrorCode::AuthProviderRefused, Vec::new()),
    )
    .with_payload(payload)
    .into()
}

/// `incomplete_raw_credentials`.
fn token_missing() -> Failure {
    Failure::new(
        "incomplete_raw_credentials",
        "The provider's answer holds no access token.",
        Issue::new(ErrorCode::AuthTokenMissing, Vec::new()),
    )
}

//! The requests to a provider's token endpoint (spec §3.3, §6.3): exchanging the callback's
//! code, and refreshing an access token, as Nango sends them through simple-oauth2 5.1.0.
//!
//! A request is a POST to the origin and path of the interpolated URL, with
//! `Accept: application/json`, a form body (Node's `querystring.stringify`) or, with
//! `body_format: json`, a JSON body. The parameters, in order: `grant_type`, then
//! `code`, `redirect_uri`, the template's `token_params` (interpolated) and `code_verifier`
//! (unless `disable_pkce`) for an exchange, or the `refresh_params` (else the `token_params`)
//! and `refresh_token` for a refresh; then `client_id` and `client_secret`, unless the provider
//! authenticates its client by header only ([`ClientAuth`]).
//!
//! connkit's refresh departs from Nango's in three places (spec §12): it goes to `refresh_url`
//! when the provider has one (Nango's generic client always uses `token_url`; only its
//! provider-specific clients read `refresh_url`), its parameters are interpolated like the token
//! parameters (Nango sends them as written), and its `grant_type` is always `refresh_token`
//! (Nango lets a borrowed `token_params.grant_type` of `authorization_code` replace it, for the
//! providers without `refresh_params`).
//!
//! Knows nothing about HTTP clients, storage or where the code and tokens come from.

use serde_json::{Map, Value};

use super::authorize::url_base;
use super::provider::{ClientAuth, OAuth2Provider, error};
use crate::ValidationError;
use crate::field::check_template_values;
use crate::interpolate::{Generated, interpolate_param};
use crate::js::{base64, encode_uri_component, querystring_stringify};
use crate::pattern::PatternMatcher;
use crate::prelude::*;

/// An OAuth client: the integration's id and secret (or a connection's override of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OAuth2Client<'a> {
    /// `client_id`.
    pub id: &'a str,
    /// `client_secret`.
    pub secret: &'a str,
}

/// One POST to a token endpoint, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    /// Where it goes.
    pub url: String,
    /// Its headers, lowercase names: `accept`, `content-type`, and `authorization` when the
    /// client authenticates by header.
    pub headers: Vec<(&'static str, String)>,
    /// Its body (form-urlencoded or JSON, as `content-type` says).
    pub body: String,
}

/// What exchanging an authorization code needs.
#[derive(Debug, Clone)]
pub struct CodeExchange<'a> {
    /// The client.
    pub client: OAuth2Client<'a>,
    /// The callback's authorization code.
    pub code: &'a str,
    /// The `redirect_uri` the authorize URL carried.
    pub redirect_uri: &'a str,
    /// The PKCE verifier of the flow.
    pub code_verifier: &'a str,
    /// The connection_config the token URL and parameters are filled in from
    /// ([`super::token_stage_config`]).
    pub connection_config: &'a Map<String, Value>,
    /// `${random}` and `${now}` for parameter templates.
    pub generated: Generated<'a>,
}

/// What refreshing an access token needs.
#[derive(Debug, Clone)]
pub struct RefreshExchange<'a> {
    /// The client (a connection's `config_override`, else the integration's).
    pub client: OAuth2Client<'a>,
    /// The stored refresh token.
    pub refresh_token: &'a str,
    /// The connection's connection_config.
    pub connection_config: &'a Map<String, Value>,
    /// `${random}` and `${now}` for parameter templates.
    pub generated: Generated<'a>,
}

/// The code exchange. Errors: the connection_config checks of
/// [`crate::field::check_template_values`], then the token URL's interpolation issues.
pub fn token_request(
    provider: &OAuth2Provider,
    exchange: &CodeExchange<'_>,
    matcher: &dyn PatternMatcher,
) -> Result<TokenRequest, ValidationError> {
    let config = exchange.connection_config;
    check_values(provider, config, matcher)?;
    let url = url_base(&provider.token_url, config, &provider.token_url_skip_encode)?;
    let mut params = Params::default();
    params.set("grant_type", Value::from("authorization_code"));
    params.set("code", Value::from(exchange.code));
    params.set("redirect_uri", Value::from(exchange.redirect_uri));
    for (name, template) in &provider.token_params {
        params.set(name, interpolated(template, config, exchange.generated));
    }
    if !provider.disable_pkce {
        params.set("code_verifier", Value::from(exchange.code_verifier));
    }
    Ok(finish(provider, exchange.client, url, params))
}

/// The refresh. Errors as [`token_request`]'s, for `refresh_url` (else `token_url`).
pub fn refresh_request(
    provider: &OAuth2Provider,
    exchange: &RefreshExchange<'_>,
    matcher: &dyn PatternMatcher,
) -> Result<TokenRequest, ValidationError> {
    let config = exchange.connection_config;
    check_values(provider, config, matcher)?;
    let template = provider
        .refresh_url
        .as_deref()
        .unwrap_or(&provider.token_url);
    let url = url_base(template, config, &provider.token_url_skip_encode)?;
    let mut params = Params::default();
    params.set("grant_type", Value::from("refresh_token"));
    let templates = provider
        .refresh_params
        .as_ref()
        .unwrap_or(&provider.token_params);
    for (name, template) in templates {
        params.set(name, interpolated(template, config, exchange.generated));
    }
    // A refresh is a refresh, whatever grant type the borrowed token_params name.
    params.set("grant_type", Value::from("refresh_token"));
    params.set("refresh_token", Value::from(exchange.refresh_token));
    Ok(finish(provider, exchange.client, url, params))
}

fn check_values(
    provider: &OAuth2Provider,
    config: &Map<String, Value>,
    matcher: &dyn PatternMatcher,
) -> Result<(), ValidationError> {
    let issues = check_template_values(&provider.fields, provider.templates(), config, matcher);
    match issues.is_empty() {
        true => Ok(()),
        false => Err(error(issues)),
    }
}

fn interpolated(template: &Value, config: &Map<String, Value>, generated: Generated<'_>) -> Value {
    match template {
        Value::String(text) => Value::String(interpolate_param(text, config, generated)),
        other => other.clone(),
    }
}

fn finish(
    provider: &OAuth2Provider,
    client: OAuth2Client<'_>,
    url: String,
    mut params: Params,
) -> TokenRequest {
    let mut headers = vec![("accept", "application/json".to_owned())];
    match provider.client_auth {
        ClientAuth::Header => {
            let pair = format!(
                "{}:{}",
                form_url_encode(client.id),
                form_url_encode(client.secret)
            );
            headers.push((
                "authorization",
                format!("Basic {}", base64(pair.as_bytes())),
            ));
        }
        ClientAuth::Body { basic_header } => {
            if basic_header {
                let pair = format!("{}:{}", client.id, client.secret);
                headers.push((
                    "authorization",
                    format!("Basic {}", base64(pair.as_bytes())),
                ));
            }
            params.set("client_id", Value::from(client.id));
            params.set("client_secret", Value::from(client.secret));
        }
    }
    let body = if provider.json_body {
        headers.push(("content-type", "application/json".to_owned()));
        let map: Map<String, Value> = params.0.into_iter().collect();
        Value::Object(map).to_string()
    } else {
        headers.push((
            "content-type",
            "application/x-www-form-urlencoded".to_owned(),
        ));
        querystring_stringify(params.0.iter().map(|(k, v)| (k.as_str(), v)))
    };
    TokenRequest { url, headers, body }
}

/// simple-oauth2's "strict" credentials encoding: `encodeURIComponent`, then `%20` as `+` and
/// `!'()*` escaped too (RFC 6749 appendix B).
fn form_url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in encode_uri_component(text).chars() {
        match c {
            '!' => out.push_str("%21"),
            '\'' => out.push_str("%27"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '*' => out.push_str("%2A"),
            c => out.push(c),
        }
    }
    out.replace("%20", "+")
}

/// Body parameters in insertion order; setting a name again keeps its place.
#[derive(Debug, Default)]
struct Params(Vec<(String, Value)>);

impl Params {
    fn set(&mut self, name: &str, value: Value) {
        match self.0.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name.to_owned(), value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_credentials_encoding_matches_simple_oauth2() {
        // simple-oauth2's own test: "the + client + id & symbols".
        let pair = format!(
            "{}:{}",
            form_url_encode("the + client + id & symbols"),
            form_url_encode("the + client + secret & symbols")
        );
        assert_eq!(
            base64(pair.as_bytes()),
            "dGhlKyUyQitjbGllbnQrJTJCK2lkKyUyNitzeW1ib2xzOnRoZSslMkIrY2xpZW50KyUyQitzZWNyZXQrJTI2K3N5bWJvbHM="
        );
        assert_eq!(form_url_encode("a!'()*~ b"), "a%21%27%28%29%2A~+b");
    }
}

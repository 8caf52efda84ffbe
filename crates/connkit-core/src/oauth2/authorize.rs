//! The authorization redirect (spec §3.3, §5.4): the checks Nango makes before redirecting,
//! then the provider's authorize URL as Nango's `oauth2Request` and simple-oauth2 5.1.0's
//! `authorizeURL` build it.
//!
//! The URL: the origin and path of the interpolated `authorization_url` (its own query is
//! dropped), then, set one by one as `URLSearchParams` does (form-urlencoded, a name set twice
//! keeps its first place): `response_type=code`, `client_id`, `redirect_uri`, `scope` (the
//! integration's comma-separated scopes joined by `scope_separator`), `state`, the template's
//! `authorization_params` (interpolated, not encoded first), PKCE's `code_challenge` and
//! `code_challenge_method=S256` unless `disable_pkce`, `user_scope` (the provider named `slack`
//! only), then the request's or session's parameters over those (`None` removes one). Then
//! `authorization_url_skip_encode: [scopes]` (the scope appended unencoded), the
//! `authorization_url_fragment` (`base#fragment?query`), the `authorization_url_replacements`
//! (first occurrence of each) and `authorization_url_skip_empty` (empty parameters removed,
//! with the quirk of deleting while iterating: the one after a removed one is not looked at).
//!
//! Knows nothing about sessions, HTTP or where the verifier and state come from.

use serde_json::{Map, Value};

use super::pkce::code_challenge;
use super::provider::{OAuth2Provider, error};
use crate::field::check_template_values;
use crate::interpolate::{Encoding, Generated, interpolate_param, interpolate_url, missing_keys};
use crate::js::to_js_string;
use crate::js::url::{
    ParsedUrl, encode_search, form_parse, form_serialize, origin_and_path, parse, split_href,
};
use crate::pattern::PatternMatcher;
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue, ValidationError};

/// An `authorization_params` entry of a request or a session: `None` removes the template's
/// parameter of that name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthParam {
    /// The parameter's name.
    pub name: String,
    /// Its value, or `None` to remove it.
    pub value: Option<String>,
}

impl AuthParam {
    /// The request's `authorization_params[…]` as Nango reads them
    /// (`getAdditionalAuthorizationParams`): string values only, and the string `"undefined"`
    /// (what the SDK sends for an `undefined` value) removes the parameter.
    pub fn from_request(params: &Map<String, Value>) -> Vec<AuthParam> {
        params
            .iter()
            .filter_map(|(name, value)| {
                let value = value.as_str()?;
                Some(AuthParam {
                    name: name.clone(),
                    value: (value != "undefined").then(|| value.to_owned()),
                })
            })
            .collect()
    }

    /// A session's `authorization_params`, which replace the request's and are used as given
    /// (`"undefined"` is sent as that text).
    pub fn from_session(params: &Map<String, Value>) -> Vec<AuthParam> {
        params
            .iter()
            .filter_map(|(name, value)| {
                Some(AuthParam {
                    name: name.clone(),
                    value: Some(value.as_str()?.to_owned()),
                })
            })
            .collect()
    }
}

/// What the authorize URL is built from; the host makes the random values.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest<'a> {
    /// The integration's client id.
    pub client_id: &'a str,
    /// The callback URL (`<public url>/oauth/callback`).
    pub redirect_uri: &'a str,
    /// The scopes, comma-separated (the integration's, or the session's
    /// `oauth_scopes_override`).
    pub scopes: &'a str,
    /// The `state` the callback will bring back.
    pub state: &'a str,
    /// The PKCE verifier (its S256 challenge goes into the URL unless the provider disables
    /// PKCE).
    pub code_verifier: &'a str,
    /// The connection_config the URL templates are filled in from.
    pub connection_config: &'a Map<String, Value>,
    /// The request's or session's parameters, applied over the template's.
    pub authorization_params: &'a [AuthParam],
    /// The user scope (sent only to the provider named `slack`, as Nango does).
    pub user_scope: Option<&'a str>,
    /// `${random}` and `${now}` for parameter templates.
    pub generated: Generated<'a>,
}

/// The checks Nango makes before redirecting, and connkit's own first: every connection_config
/// value the provider's templates use passes its field's rule (`field_*` issues at
/// `["connection_config", key]`), and nothing `authorization_url`, `authorization_params` or
/// `token_params` needs is missing (`interpolation_value_missing`; `''` counts as present, as in
/// Nango's `missesInterpolationParam`). Every issue at once.
pub fn check_before_redirect(
    provider: &OAuth2Provider,
    connection_config: &Map<String, Value>,
    matcher: &dyn PatternMatcher,
) -> Result<(), ValidationError> {
    let mut issues = check_template_values(
        &provider.fields,
        provider.templates(),
        connection_config,
        matcher,
    );
    let param_templates = provider
        .authorization_params
        .iter()
        .chain(&provider.token_params)
        .filter_map(|(_, v)| v.as_str());
    let mut missing: Vec<String> = Vec::new();
    for template in core::iter::once(provider.authorization_url.as_str()).chain(param_templates) {
        for key in missing_keys(template, connection_config) {
            if !missing.contains(&key) {
                missing.push(key);
            }
        }
    }
    issues.extend(missing.into_iter().map(|key| {
        let path = match key.strip_prefix("credentials.") {
            Some(name) => vec!["credentials".to_owned(), name.to_owned()],
            None => vec!["connection_config".to_owned(), key.clone()],
        };
        Issue::new(ErrorCode::InterpolationValueMissing, path).with_detail(Detail::Name(key))
    }));
    match issues.is_empty() {
        true => Ok(()),
        false => Err(error(issues)),
    }
}

/// The provider's authorize URL for `request` (the module header gives the recipe).
///
/// Errors: those of [`check_before_redirect`]; then `oauth_grant_type_unsupported` at
/// `["token_params", "grant_type"]` when the provider's grant type is not
/// `authorization_code`; then the interpolation's (`interpolation_value_missing` for an empty
/// value, `interpolation_url_invalid`).
pub fn authorization_url(
    provider: &OAuth2Provider,
    request: &AuthorizeRequest<'_>,
    matcher: &dyn PatternMatcher,
) -> Result<String, ValidationError> {
    let config = request.connection_config;
    check_before_redirect(provider, config, matcher)?;
    check_grant_type(provider)?;
    let base = url_base(
        &provider.authorization_url,
        config,
        &provider.authorization_url_skip_encode,
    )?;
    let scopes = request
        .scopes
        .split(',')
        .collect::<Vec<_>>()
        .join(&provider.scope_separator);
    let mut params = Params::default();
    params.set("response_type", "code");
    params.set("client_id", request.client_id);
    params.set("redirect_uri", request.redirect_uri);
    params.set("scope", &scopes);
    params.set("state", request.state);
    for (name, template) in &provider.authorization_params {
        let value = match template {
            Value::String(text) => interpolate_param(text, config, request.generated),
            other => to_js_string(other),
        };
        params.set(name, &value);
    }
    if !provider.disable_pkce {
        params.set("code_challenge", &code_challenge(request.code_verifier));
        params.set("code_challenge_method", "S256");
    }
    if provider.name == "slack"
        && let Some(user_scope) = request.user_scope.filter(|s| !s.is_empty())
    {
        params.set("user_scope", user_scope);
    }
    for param in request.authorization_params {
        match &param.value {
            Some(value) => params.set(&param.name, value),
            None => params.remove(&param.name),
        }
    }
    let mut url = format!(
        "{base}?{}",
        form_serialize(params.0.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    );
    if provider
        .authorization_url_skip_encode
        .iter()
        .any(|s| s == "scopes")
    {
        url = unencoded_scope(&url, &scopes);
    }
    if let Some(fragment) = &provider.authorization_url_fragment {
        let (before, query, _) = split_href(&url);
        let search = query.filter(|q| !q.is_empty()).map(|q| format!("?{q}"));
        url = format!("{before}#{fragment}{}", search.unwrap_or_default());
    }
    for (find, by) in &provider.authorization_url_replacements {
        url = url.replacen(find.as_str(), by, 1);
    }
    if provider.authorization_url_skip_empty {
        url = without_empty_params(&url);
    }
    Ok(url)
}

/// `token_params.grant_type` must be absent or `authorization_code`.
pub(super) fn check_grant_type(provider: &OAuth2Provider) -> Result<(), ValidationError> {
    match provider
        .token_params
        .iter()
        .find(|(k, _)| k == "grant_type")
    {
        None => Ok(()),
        Some((_, Value::String(g))) if g == "authorization_code" => Ok(()),
        Some((_, other)) => Err(error(vec![
            Issue::new(
                ErrorCode::OAuthGrantTypeUnsupported,
                vec!["token_params".to_owned(), "grant_type".to_owned()],
            )
            .with_detail(Detail::Name(to_js_string(other))),
        ])),
    }
}

/// The origin and path of an interpolated authorize or token URL (`makeUrl`, then
/// simple-oauth2's host and path): what the request goes to, without the template's query.
pub(super) fn url_base(
    template: &str,
    config: &Map<String, Value>,
    skip_encode: &[String],
) -> Result<String, ValidationError> {
    let encoding = if skip_encode.iter().any(|s| s == "base_url") {
        Encoding::Raw
    } else {
        Encoding::Component
    };
    let text = interpolate_url(template, config, encoding)?;
    match parse(&text) {
        Some(ParsedUrl::Special(url)) => match origin_and_path(&url.href) {
            Some((origin, path)) => Ok(format!("{origin}{path}")),
            None => Err(url_invalid()),
        },
        // `new URL(path, origin)` throws for an origin of `null` (any other scheme).
        _ => Err(url_invalid()),
    }
}

fn url_invalid() -> ValidationError {
    error(vec![Issue::new(
        ErrorCode::InterpolationUrlInvalid,
        Vec::new(),
    )])
}

/// `authorization_url_skip_encode: [scopes]`: the `scope` parameters taken out of the query and
/// `scope=<scopes>` appended as written, through the URL's `search` setter.
fn unencoded_scope(url: &str, scopes: &str) -> String {
    let (base, query, fragment) = split_href(url);
    let kept: Vec<(String, String)> = form_parse(query.unwrap_or(""))
        .into_iter()
        .filter(|(k, _)| k != "scope")
        .collect();
    let mut query = form_serialize(kept.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if !scopes.is_empty() {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str("scope=");
        query.push_str(scopes);
    }
    rebuild(base, &encode_search(&query), fragment)
}

/// `authorization_url_skip_empty`: the URL re-read, its empty parameters deleted the way
/// Nango's loop deletes them from a live `URLSearchParams` (after a deletion, the next pair
/// moves into the current place and is skipped), and the query written back.
fn without_empty_params(url: &str) -> String {
    let href = match parse(url) {
        Some(ParsedUrl::Special(parsed)) => parsed.href,
        _ => return url.to_owned(),
    };
    let (base, query, fragment) = split_href(&href);
    let mut pairs = form_parse(query.unwrap_or(""));
    let mut at = 0;
    while let Some((name, value)) = pairs.get(at) {
        if value.is_empty() {
            let name = name.clone();
            pairs.retain(|(k, _)| *k != name);
        }
        at += 1;
    }
    let query = form_serialize(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    rebuild(base, &query, fragment)
}

fn rebuild(base: &str, query: &str, fragment: Option<&str>) -> String {
    let mut out = base.to_owned();
    if !query.is_empty() {
        out.push('?');
        out.push_str(query);
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Parameters in insertion order; setting a name again keeps its place (a JavaScript object,
/// then `URLSearchParams.set`).
#[derive(Debug, Default)]
struct Params(Vec<(String, String)>);

impl Params {
    fn set(&mut self, name: &str, value: &str) {
        match self.0.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value.to_owned(),
            None => self.0.push((name.to_owned(), value.to_owned())),
        }
    }

    fn remove(&mut self, name: &str) {
        self.0.retain(|(k, _)| k != name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleting_while_iterating_skips_the_next_pair() {
        // Node 20: new URLSearchParams("a=&b=&c=1&d=&e=2"), deleting '' values in a for…of.
        assert_eq!(
            without_empty_params("https://h.io/p?a=&b=&c=1&d=&e=2#f"),
            "https://h.io/p?b=&c=1&e=2#f"
        );
    }

    #[test]
    fn unencoded_scopes_go_through_the_search_setter() {
        assert_eq!(
            unencoded_scope("https://h.io/p?scope=a+b&x=1", "a b,c:d"),
            "https://h.io/p?x=1&scope=a%20b,c:d"
        );
        assert_eq!(
            unencoded_scope("https://h.io/p?scope=", ""),
            "https://h.io/p"
        );
    }
}

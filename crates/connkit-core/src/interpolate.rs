//! `${…}` interpolation of provider URL templates with a connection's connection_config (spec §5.4).
//!
//! * [`interpolate_url`]: `authorization_url` / `token_url` as Nango's `makeUrl` builds them:
//!   the literal text `connectionConfig.` and `credentials.` is removed from the template, values
//!   are `encodeURIComponent`-ed, `''` and `null` count as missing, `A || B` takes `A` if any
//!   placeholder in it was replaced, else `B`. Unlike Nango, every missing key is named at once.
//! * [`missing_keys`] / [`missing_interpolation_params`]: the check Nango runs before redirecting
//!   (`missesInterpolationParam`: `''` counts as present there).
//! * [`interpolate_proxy_base_url`]: `proxy.base_url` (`buildProxyURL`: no encoding; `||` decided
//!   by the first `connectionConfig.<word>` in the template).
//! * [`referenced_keys`]: the connection_config keys a template needs (for forms).
//!
//! Placeholders are `${expr}` where `expr` has no `{` or `}`; a value is looked up as a dot path
//! through nested objects (array indexes included) first, then as a flat key with dots in its
//! name (Nango stores `token_response_metadata` such as `installation.uuid` flat). Only strings
//! and numbers (written like JavaScript's `String(n)`) interpolate; booleans, arrays and objects
//! count as missing (connection_config values are strings in practice: Nango keeps only string
//! `params`). A URL is valid when
//! [`url_can_parse`] says WHATWG `new URL` would accept it; the text is returned as
//! interpolated, not normalised to `href` (Nango only uses its origin and path).
//!
//! Missing values are reported as `interpolation_value_missing` at `["connection_config", key]`,
//! or `["credentials", key]` for `${credentials.key}` (and, in proxy URLs, other credential
//! fields such as `${apiKey}`), with `Detail::Name(key)`.
//!
//! Knows nothing about OAuth flows, HTTP or where templates come from.

use serde_json::{Map, Value};

mod text;

use crate::js::{decode_uri_component, encode_uri_component, url_can_parse};
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue, ValidationError};
use text::{
    Absent, find, is_truthy, placeholders, replace_placeholders, scalar_text, split_alternatives,
    union,
};

const CONFIG_PREFIX: &str = "connectionConfig.";
const CREDENTIALS_PREFIX: &str = "credentials.";

/// How values are written into the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `encodeURIComponent` (the default for authorization and token URLs).
    Component,
    /// Values as given (a provider whose `*_skip_encode` lists `base_url`).
    Raw,
}

/// Where a placeholder's value comes from; decides the issue path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    ConnectionConfig,
    Credentials,
}

/// Interpolates an authorization or token URL template (`makeUrl`), or names every missing key.
///
/// `connection_config` is what Nango passes to `makeUrl`: the connection_config, merged with the
/// credentials when the template uses `${credentials.…}` (both prefixes are stripped alike).
///
/// Issues: `interpolation_value_missing` for each placeholder without a value; when none is
/// missing, `interpolation_url_invalid` at `[]` if `${` is left in the result (an unclosed
/// placeholder, or a raw value containing `${`) or if neither the result nor its
/// `decodeURIComponent` form is an absolute URL (Nango's second try, which lets a value such as
/// `https://h.io` stand for a whole origin).
pub fn interpolate_url(
    template: &str,
    connection_config: &Map<String, Value>,
    encoding: Encoding,
) -> Result<String, ValidationError> {
    let stripped = strip_prefixes(template);
    let lookup = |expr: &str| -> Option<String> {
        let text = scalar_text(find(connection_config, expr, Absent::EmptyOrNull)?)?;
        Some(match encoding {
            Encoding::Component => encode_uri_component(&text),
            Encoding::Raw => text,
        })
    };
    let (chosen, missing) = resolve_alternatives(&stripped, &lookup);
    if !missing.is_empty() {
        // Name each key after the prefix it had in the template.
        let origins: Vec<(String, Source)> = placeholders(template)
            .into_iter()
            .map(|expr| {
                let source = if expr.starts_with(CREDENTIALS_PREFIX) {
                    Source::Credentials
                } else {
                    Source::ConnectionConfig
                };
                (strip_prefixes(expr), source)
            })
            .collect();
        let named = missing.into_iter().map(|key| {
            let source = origins
                .iter()
                .find(|(name, _)| *name == key)
                .map_or(Source::ConnectionConfig, |(_, source)| *source);
            (source, key)
        });
        return Err(missing_error(named));
    }
    finish_url(chosen, true)
}

/// The keys Nango's pre-redirect check (`missesInterpolationParam`) finds missing, in order of
/// appearance: `''` counts as present, `null` and absent keys as missing. Only
/// `connectionConfig.` is stripped (a `${credentials.x}` placeholder is named `credentials.x`).
/// With `A || B` nothing is missing unless both sides miss something; then both sides' keys are
/// given. An unclosed `${` is a template defect, not a key, and is not listed.
pub fn missing_keys(template: &str, connection_config: &Map<String, Value>) -> Vec<String> {
    let stripped = template.replace(CONFIG_PREFIX, "");
    let lookup = |expr: &str| {
        if is_dynamic(expr) {
            return Some(String::new());
        }
        scalar_text(find(connection_config, expr, Absent::OnlyMissing)?)
    };
    match split_alternatives(&stripped) {
        None => replace_placeholders(&stripped, &lookup).1,
        Some((left, right)) => {
            let (_, left_missing) = replace_placeholders(left, &lookup);
            let (_, right_missing) = replace_placeholders(right, &lookup);
            if left_missing.is_empty() || right_missing.is_empty() {
                Vec::new()
            } else {
                union(left_missing, right_missing)
            }
        }
    }
}

/// What Nango fills in itself: `${random}` (a fresh UUID) and the `${now…}` expressions (the
/// time, possibly offset and formatted).
fn is_dynamic(expr: &str) -> bool {
    expr == "random"
        || expr == "now"
        || ["now:", "now+", "now-"].iter().any(|p| expr.starts_with(p))
}

/// The values Nango generates while interpolating a parameter (`${random}`, `${now}`); the host
/// makes them, so that the rules stay pure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generated<'a> {
    /// `${random}`: a fresh UUID (Nango's `crypto.randomUUID()`).
    pub random: &'a str,
    /// `${now}`: the time as `toISOString()` writes it.
    pub now: &'a str,
}

/// One string value of a provider's `authorization_params` or `token_params`, interpolated as
/// Nango's `interpolateObjectValues` does (`interpolateStringFromObject` with
/// `{connectionConfig}` as the replacers): no URL-encoding; `${connectionConfig.key}` looked up
/// as a dot path, then as a flat key, strings and numbers only; `${random}` and `${now}` from
/// `generated`; `A || B` takes `A` when interpolating changed it, else `B` (or `''` without a
/// `B`); a placeholder without a value stays as written (the pre-redirect check,
/// [`missing_keys`], reports those first). The formatted `${now:…}` forms stay as written.
pub fn interpolate_param(
    template: &str,
    connection_config: &Map<String, Value>,
    generated: Generated<'_>,
) -> String {
    if template.contains("||") {
        let mut parts = template.split("||").map(str::trim);
        let left = parts.next().unwrap_or("");
        let right = parts.next().unwrap_or("");
        if !left.is_empty() {
            let out = interpolate_param(left, connection_config, generated);
            if !out.is_empty() && out != left {
                return out;
            }
        }
        if right.is_empty() {
            return String::new();
        }
        return interpolate_param(right, connection_config, generated);
    }
    let lookup = |expr: &str| -> Option<String> {
        match expr {
            "random" => return Some(generated.random.to_owned()),
            "now" => return Some(generated.now.to_owned()),
            _ => {}
        }
        let key = expr.strip_prefix(CONFIG_PREFIX)?;
        scalar_text(find(connection_config, key, Absent::OnlyMissing)?)
    };
    replace_placeholders(template, &lookup).0
}

/// [`missing_keys`] as issues: `interpolation_value_missing` at `["connection_config", key]`
/// (`["credentials", key]` for `credentials.key`), detail `Detail::Name(key)`.
pub fn missing_interpolation_params(
    template: &str,
    connection_config: &Map<String, Value>,
) -> Result<(), ValidationError> {
    let missing = missing_keys(template, connection_config);
    if missing.is_empty() {
        return Ok(());
    }
    Err(missing_error(missing.into_iter().map(
        |expr| match expr.strip_prefix(CREDENTIALS_PREFIX) {
            Some(key) => (Source::Credentials, key.to_owned()),
            None => (Source::ConnectionConfig, expr),
        },
    )))
}

/// Interpolates `proxy.base_url` like Nango's `buildProxyURL` (no URL-encoding).
///
/// With `${` and `||` both present, the text is split at every `||` and the first part is used
/// if the first `connectionConfig.<word>` (ASCII letters, digits, `_`) in the template has a
/// truthy value in `connection_config`, else the second part. One trailing `/` is removed (Nango
/// joins the base and the endpoint with one). `${connectionConfig.key}` resolves against
/// `connection_config`, where falsy values (`''`, `0`, `false`, `null`) count as missing; other
/// placeholders (`${apiKey}`, `${credentials.apiKey}`) resolve against `credentials`.
///
/// Issues: `interpolation_value_missing` for each placeholder without a value, else
/// `interpolation_url_invalid` at `[]` if the result is not an absolute URL.
pub fn interpolate_proxy_base_url(
    template: &str,
    connection_config: &Map<String, Value>,
    credentials: &Map<String, Value>,
) -> Result<String, ValidationError> {
    let chosen = if template.contains("${") && template.contains("||") {
        let truthy = first_config_word(template)
            .and_then(|key| connection_config.get(key))
            .is_some_and(is_truthy);
        match template.split("||").nth(if truthy { 0 } else { 1 }) {
            Some(part) => part.trim(),
            None => return Err(url_invalid()),
        }
    } else {
        template
    };
    let base = chosen.strip_suffix('/').unwrap_or(chosen);
    let lookup = |expr: &str| -> Option<String> {
        let value = match proxy_source(expr) {
            (Source::ConnectionConfig, key) => find(connection_config, key, Absent::FalsyTopLevel),
            (Source::Credentials, key) => find(credentials, key, Absent::OnlyMissing),
        };
        scalar_text(value?)
    };
    let (out, missing) = replace_placeholders(base, &lookup);
    if !missing.is_empty() {
        let named = missing.iter().map(|expr| {
            let (source, key) = proxy_source(expr);
            (source, key.to_owned())
        });
        return Err(missing_error(named));
    }
    finish_url(out, false)
}

/// Interpolates one `proxy.headers` (or `proxy.query`) value the way Nango's proxy does before a
/// request (spec §5.4): `${connectionConfig.key}` resolves against `connection_config`, any other
/// placeholder (`${apiKey}`, `${credentials.username}`) against `credentials`; no URL-encoding.
/// `A || B` uses A when all of its placeholders resolve, else B. `None` when a placeholder stays
/// unresolved: Nango then omits the header.
pub fn interpolate_proxy_header(
    template: &str,
    connection_config: &Map<String, Value>,
    credentials: &Map<String, Value>,
) -> Option<String> {
    let lookup = |expr: &str| -> Option<String> {
        let value = match proxy_source(expr) {
            (Source::ConnectionConfig, key) => find(connection_config, key, Absent::FalsyTopLevel),
            (Source::Credentials, key) => find(credentials, key, Absent::OnlyMissing),
        };
        scalar_text(value?)
    };
    let try_one = |text: &str| {
        let (out, missing) = replace_placeholders(text, &lookup);
        missing.is_empty().then_some(out)
    };
    match template.split_once("||") {
        Some((first, second)) if template.contains("${") => {
            try_one(first.trim()).or_else(|| try_one(second.trim()))
        }
        _ => try_one(template),
    }
}

/// The distinct `connectionConfig.<key>` names a template's placeholders reference, in order of
/// appearance (like Nango's `parseConnectionConfigParamsFromTemplate` for one template).
pub fn referenced_keys(template: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for expr in placeholders(template) {
        if let Some(key) = expr.strip_prefix(CONFIG_PREFIX)
            && !key.is_empty()
            && !keys.iter().any(|k| k == key)
        {
            keys.push(key.to_owned());
        }
    }
    keys
}

/// Removes every literal `connectionConfig.` and `credentials.` (in that order, like `makeUrl`).
fn strip_prefixes(text: &str) -> String {
    text.replace(CONFIG_PREFIX, "")
        .replace(CREDENTIALS_PREFIX, "")
}

/// Where a proxy placeholder resolves, and the key to look up there.
fn proxy_source(expr: &str) -> (Source, &str) {
    if let Some(key) = expr.strip_prefix(CONFIG_PREFIX) {
        (Source::ConnectionConfig, key)
    } else {
        let key = expr.strip_prefix(CREDENTIALS_PREFIX).unwrap_or(expr);
        (Source::Credentials, key)
    }
}

/// The first `connectionConfig.<word>` in `text`, like `/connectionConfig\.(\w+)/`.
fn first_config_word(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(at) = rest.find(CONFIG_PREFIX) {
        let after = rest.get(at + CONFIG_PREFIX.len()..)?;
        let len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if len > 0 {
            return after.get(..len);
        }
        rest = after;
    }
    None
}

/// Resolves `A || B` (first `||` only): `A` if any of its placeholders was replaced, else `B`.
/// Returns the chosen text and the placeholders still missing in it (or in both sides).
fn resolve_alternatives(
    template: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> (String, Vec<String>) {
    let Some((left, right)) = split_alternatives(template) else {
        return replace_placeholders(template, lookup);
    };
    let (left_out, left_missing) = replace_placeholders(left, lookup);
    if left_out != left {
        return (left_out, left_missing);
    }
    let (right_out, right_missing) = replace_placeholders(right, lookup);
    if right_missing.is_empty() {
        return (right_out, right_missing);
    }
    // Neither side works: any of these keys would help.
    (right_out, union(left_missing, right_missing))
}

/// The final checks: no `${` left, and an absolute URL (optionally after `decodeURIComponent`).
fn finish_url(url: String, decode_retry: bool) -> Result<String, ValidationError> {
    if url.contains("${") {
        return Err(url_invalid());
    }
    if url_can_parse(&url) {
        return Ok(url);
    }
    match decode_uri_component(&url) {
        Some(decoded) if decode_retry && url_can_parse(&decoded) => Ok(decoded),
        _ => Err(url_invalid()),
    }
}

fn missing_error(missing: impl Iterator<Item = (Source, String)>) -> ValidationError {
    let issues = missing
        .map(|(source, key)| {
            let root = match source {
                Source::ConnectionConfig => "connection_config",
                Source::Credentials => "credentials",
            };
            Issue::new(
                ErrorCode::InterpolationValueMissing,
                vec![root.to_owned(), key.clone()],
            )
            .with_detail(Detail::Name(key))
        })
        .collect();
    error(issues)
}

fn url_invalid() -> ValidationError {
    error(vec![Issue::new(
        ErrorCode::InterpolationUrlInvalid,
        Vec::new(),
    )])
}

fn error(issues: Vec<Issue>) -> ValidationError {
    match ValidationError::from_issues(issues) {
        Err(err) => err,
        Ok(_) => unreachable!("callers pass error-severity issues"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn issues(err: &ValidationError) -> Vec<(ErrorCode, Vec<String>)> {
        err.issues()
            .iter()
            .map(|it| (it.code(), it.path().to_vec()))
            .collect()
    }

    fn path(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn every_missing_key_is_named_under_its_root() {
        let cfg = config(json!({"region": ""}));
        let tpl =
            "https://${connectionConfig.a}.${connectionConfig.region}.x.com/${credentials.user}";
        let err = interpolate_url(tpl, &cfg, Encoding::Component).unwrap_err();
        let missing = ErrorCode::InterpolationValueMissing;
        assert_eq!(
            issues(&err),
            [
                (missing, path(&["connection_config", "a"])),
                (missing, path(&["connection_config", "region"])),
                (missing, path(&["credentials", "user"])),
            ]
        );
        // The pre-redirect check counts '' as present and keeps the credentials prefix.
        assert_eq!(missing_keys(tpl, &cfg), ["a", "credentials.user"]);
        let err = missing_interpolation_params(tpl, &cfg).unwrap_err();
        assert_eq!(
            issues(&err),
            [
                (missing, path(&["connection_config", "a"])),
                (missing, path(&["credentials", "user"])),
            ]
        );
    }

    #[test]
    fn pre_check_fails_only_when_both_sides_miss() {
        let tpl = "https://${connectionConfig.a}.${connectionConfig.b}.com || https://${connectionConfig.c}.com";
        let cfg = config(json!({"a": "x", "c": "y"}));
        assert!(missing_keys(tpl, &cfg).is_empty());
        // makeUrl still fails: the left side changed, so it is used, and `b` is missing.
        let err = interpolate_url(tpl, &cfg, Encoding::Component).unwrap_err();
        assert_eq!(
            issues(&err),
            [(
                ErrorCode::InterpolationValueMissing,
                path(&["connection_config", "b"])
            )]
        );
        assert_eq!(missing_keys(tpl, &Map::new()), ["a", "b", "c"]);
    }

    #[test]
    fn nested_paths_win_over_flat_keys_and_flat_keys_are_a_fallback() {
        let tpl = "https://${connectionConfig.app.host}/x";
        let both = config(json!({"app.host": "flat.io", "app": {"host": "nested.io"}}));
        let got = interpolate_url(tpl, &both, Encoding::Component);
        assert_eq!(got.ok().as_deref(), Some("https://nested.io/x"));
        let flat = config(json!({"app.host": "flat.io", "app": {"host": ""}}));
        let got = interpolate_url(tpl, &flat, Encoding::Component);
        assert_eq!(got.ok().as_deref(), Some("https://flat.io/x"));
        let arr = config(json!({"hosts": ["a.io", "b.io"]}));
        let got = interpolate_url("https://${hosts.1}/", &arr, Encoding::Component);
        assert_eq!(got.ok().as_deref(), Some("https://b.io/"));
    }

    #[test]
    fn proxy_base_url_decides_on_the_first_word_key() {
        let tpl = "https://${connectionConfig.subdomain}.example.com/ || https://api.example.com/";
        let empty = Map::new();
        let acme = config(json!({"subdomain": "acme"}));
        let got = interpolate_proxy_base_url(tpl, &acme, &empty);
        assert_eq!(got.ok().as_deref(), Some("https://acme.example.com"));
        let got = interpolate_proxy_base_url(tpl, &empty, &empty);
        assert_eq!(got.ok().as_deref(), Some("https://api.example.com"));
        let creds = config(json!({"apiKey": "k"}));
        let got = interpolate_proxy_base_url("https://x.org/bot${apiKey}", &empty, &creds);
        assert_eq!(got.ok().as_deref(), Some("https://x.org/botk"));
        let err = interpolate_proxy_base_url("https://x.org/bot${apiKey}", &empty, &empty);
        assert_eq!(
            issues(&err.unwrap_err()),
            [(
                ErrorCode::InterpolationValueMissing,
                path(&["credentials", "apiKey"])
            )]
        );
    }

    #[test]
    fn unclosed_placeholders_and_bad_urls_are_invalid() {
        let invalid = [(ErrorCode::InterpolationUrlInvalid, Vec::new())];
        let cfg = config(json!({"x": "a", "y": "not a url"}));
        let err = interpolate_url("https://${x.example.com", &cfg, Encoding::Component);
        assert_eq!(issues(&err.unwrap_err()), invalid);
        let err = interpolate_url("${connectionConfig.y}", &cfg, Encoding::Component);
        assert_eq!(issues(&err.unwrap_err()), invalid);
    }

    #[test]
    fn proxy_headers_resolve_or_are_omitted() {
        let config = serde_json::json!({"version": "2024-01", "empty": ""});
        let creds = serde_json::json!({"apiKey": "k1", "username": "u"});
        let (config, creds) = (config.as_object().unwrap(), creds.as_object().unwrap());
        let h = |t: &str| interpolate_proxy_header(t, config, creds);
        assert_eq!(h("Bearer ${apiKey}").as_deref(), Some("Bearer k1"));
        assert_eq!(h("${credentials.username}:x").as_deref(), Some("u:x"));
        assert_eq!(h("${connectionConfig.version}").as_deref(), Some("2024-01"));
        assert_eq!(
            h("${connectionConfig.missing} || 2022-11-28").as_deref(),
            Some("2022-11-28")
        );
        assert_eq!(
            h("${connectionConfig.version} || 2022-11-28").as_deref(),
            Some("2024-01")
        );
        assert_eq!(
            h("${connectionConfig.empty}"),
            None,
            "falsy config values count as missing"
        );
        assert_eq!(h("Token ${password}"), None);
        assert_eq!(h("application/json").as_deref(), Some("application/json"));
        assert_eq!(
            h("a||b").as_deref(),
            Some("a||b"),
            "no placeholder: taken as is"
        );
    }
}

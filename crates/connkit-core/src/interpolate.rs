//! `${…}` interpolation of provider URL templates with a connection's connection_config (spec §5.4).
//!
//! * [`interpolate_url`]: `authorization_url` / `token_url` as Nango's `makeUrl` builds them:
//!   the literal text `connectionConfig.` and `credentials.` is removed from the template, values
//!   are `encodeURIComponent`-ed, `''` and `null` count as missing, `A || B` takes `A` if any
//!   placeholder in it was replaced, else `B`. Unlike Nango, every missing key is named at once.
//! * [`missing_keys`]: the check Nango runs before redirecting (`''` counts as present there).
//! * [`interpolate_proxy_base_url`]: `proxy.base_url` (no encoding; `||` decided by the first
//!   `connectionConfig.<key>` in the template).
//! * [`referenced_keys`]: the connection_config keys a template needs (for forms).
//!
//! Knows nothing about OAuth flows, HTTP or where templates come from.

use serde_json::{Map, Value};

use crate::field::is_valid_url;
use crate::{Detail, ErrorCode, Issue, ValidationError};

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

/// Interpolates an authorization or token URL template (`makeUrl`), or names every missing key.
///
/// Issues: `interpolation_value_missing` at `["connection_config", key]` (detail: the key) for each
/// placeholder without a value, or `interpolation_url_invalid` at `[]` if the result is no URL.
pub fn interpolate_url(
    template: &str,
    connection_config: &Map<String, Value>,
    encoding: Encoding,
) -> Result<String, ValidationError> {
    let stripped = template
        .replace(CONFIG_PREFIX, "")
        .replace(CREDENTIALS_PREFIX, "");
    let lookup = |expr: &str| -> Option<String> {
        let value = lookup_value(connection_config, expr)?;
        let text = scalar_text(value).filter(|text| !text.is_empty())?;
        Some(match encoding {
            Encoding::Component => encode_uri_component(&text),
            Encoding::Raw => text,
        })
    };
    let (chosen, missing) = resolve_alternatives(&stripped, &lookup);
    if !missing.is_empty() {
        return Err(missing_error(missing));
    }
    if is_valid_url(&chosen) {
        return Ok(chosen);
    }
    // Like Nango: when `new URL` rejects the result, the percent-decoded text gets a second try.
    let decoded = percent_decode(&chosen);
    if is_valid_url(&decoded) {
        return Ok(decoded);
    }
    Err(error(vec![Issue::new(
        ErrorCode::InterpolationUrlInvalid,
        Vec::new(),
    )]))
}

/// The keys Nango's pre-redirect check (`missesInterpolationParam`) finds missing: `''` counts as
/// present, `null` and absent keys as missing; with `A || B` only if both sides miss something.
pub fn missing_keys(template: &str, connection_config: &Map<String, Value>) -> Vec<String> {
    let stripped = template.replace(CONFIG_PREFIX, "");
    let lookup = |expr: &str| lookup_value(connection_config, expr).and_then(scalar_text);
    let (_, missing) = resolve_alternatives(&stripped, &lookup);
    missing
}

/// Interpolates `proxy.base_url` like Nango's `buildProxyURL` (no URL-encoding).
///
/// With `${` and `||` both present, the left side is used if the first `connectionConfig.<key>`
/// in the template has a non-empty value, else the right side. `credentials` supplies
/// placeholders such as `${apiKey}`.
pub fn interpolate_proxy_base_url(
    template: &str,
    connection_config: &Map<String, Value>,
    credentials: &Map<String, Value>,
) -> Result<String, ValidationError> {
    let chosen = match split_alternatives(template) {
        Some((left, right)) if template.contains("${") => {
            let first = referenced_keys(template).into_iter().next();
            let truthy = first
                .as_deref()
                .and_then(|key| connection_config.get(key))
                .is_some_and(is_truthy);
            if truthy { left } else { right }
        }
        _ => template.trim(),
    };
    let lookup = |expr: &str| -> Option<String> {
        let value = match expr.strip_prefix(CONFIG_PREFIX) {
            Some(key) => lookup_value(connection_config, key).filter(|v| is_truthy(v))?,
            None => lookup_value(credentials, expr)?,
        };
        scalar_text(value)
    };
    let (out, missing) = replace_placeholders(chosen, &lookup);
    if !missing.is_empty() {
        return Err(missing_error(missing));
    }
    Ok(out)
}

/// The distinct `connectionConfig.<key>` names a template references, in order of appearance.
pub fn referenced_keys(template: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for expr in placeholders(template) {
        if let Some(key) = expr.trim().strip_prefix(CONFIG_PREFIX)
            && !key.is_empty()
            && !keys.iter().any(|k| k == key)
        {
            keys.push(key.to_owned());
        }
    }
    keys
}

/// Resolves `A || B` (first `||` only): `A` if any of its placeholders was replaced, else `B`.
/// Returns the chosen text and the keys still missing in it (or in both sides).
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
    let mut missing = left_missing;
    for key in right_missing {
        if !missing.contains(&key) {
            missing.push(key);
        }
    }
    (right_out, missing)
}

/// The two sides of the first `||`, trimmed.
fn split_alternatives(template: &str) -> Option<(&str, &str)> {
    let (left, rest) = template.split_once("||")?;
    let right = rest.split("||").next().unwrap_or(rest);
    Some((left.trim(), right.trim()))
}

/// Replaces every `${expr}` (expr without `{`/`}`) that `lookup` resolves; the others stay and
/// are reported by name.
fn replace_placeholders(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut missing: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match placeholder_end(after) {
            Some(end) => {
                let expr = &after[..end];
                match lookup(expr) {
                    Some(value) => out.push_str(&value),
                    None => {
                        out.push_str(&rest[start..start + 2 + end + 1]);
                        let name = expr
                            .trim()
                            .strip_prefix(CONFIG_PREFIX)
                            .unwrap_or(expr.trim())
                            .to_owned();
                        if !missing.contains(&name) {
                            missing.push(name);
                        }
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                // `${` that is never closed (or contains `{`): kept as text, and the URL is incomplete.
                out.push_str("${");
                rest = after;
                if !missing.iter().any(|k| k == after) {
                    missing.push(after.to_owned());
                }
            }
        }
    }
    out.push_str(rest);
    (out, missing)
}

/// The position of the `}` closing a placeholder body, if the body has no `{`.
fn placeholder_end(after: &str) -> Option<usize> {
    let end = after.find(['{', '}'])?;
    after[end..].starts_with('}').then_some(end)
}

/// Every placeholder body in `text`.
fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        match placeholder_end(after) {
            Some(end) => {
                out.push(&after[..end]);
                rest = &after[end + 1..];
            }
            None => rest = after,
        }
    }
    out
}

/// A flat key, else a dot path through nested objects.
fn lookup_value<'a>(map: &'a Map<String, Value>, expr: &str) -> Option<&'a Value> {
    if let Some(value) = map.get(expr) {
        return Some(value);
    }
    let mut parts = expr.split('.');
    let mut current = map.get(parts.next()?)?;
    for part in parts {
        current = current.as_object()?.get(part)?;
    }
    Some(current)
}

/// `String(v)` for strings and numbers; other types do not interpolate.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(js_number_text(n)),
        _ => None,
    }
}

/// JavaScript's `String(number)` for the numbers JSON can carry.
fn js_number_text(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 1e21 => format!("{f:.0}"),
        _ => n.to_string(),
    }
}

fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// JavaScript's `encodeURIComponent`.
pub fn encode_uri_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes where they form valid UTF-8 (like a tolerant `decodeURIComponent`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while idx < bytes.len() {
        let hex = |b: Option<&u8>| b.and_then(|b| char::from(*b).to_digit(16));
        match (bytes[idx], hex(bytes.get(idx + 1)), hex(bytes.get(idx + 2))) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                idx += 3;
            }
            (b, _, _) => {
                out.push(b);
                idx += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

fn missing_error(missing: Vec<String>) -> ValidationError {
    let issues = missing
        .into_iter()
        .map(|key| {
            Issue::new(
                ErrorCode::InterpolationValueMissing,
                vec!["connection_config".to_owned(), key.clone()],
            )
            .with_detail(Detail::Name(key))
        })
        .collect();
    error(issues)
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

    fn missing_codes(err: &ValidationError) -> Vec<(ErrorCode, Vec<String>)> {
        err.issues()
            .iter()
            .map(|it| (it.code(), it.path().to_vec()))
            .collect()
    }

    #[test]
    fn values_are_encoded_and_prefixes_stripped() {
        let cfg = config(json!({"account": "a b/c"}));
        let url = interpolate_url(
            "https://api.example.com/${connectionConfig.account}/items",
            &cfg,
            Encoding::Component,
        );
        assert_eq!(
            url.as_deref().ok(),
            Some("https://api.example.com/a%20b%2Fc/items")
        );
    }

    #[test]
    fn every_missing_key_is_named() {
        let cfg = config(json!({"region": ""}));
        let err = interpolate_url(
            "https://${connectionConfig.a}.${connectionConfig.region}.x.com",
            &cfg,
            Encoding::Component,
        )
        .unwrap_err();
        assert_eq!(
            missing_codes(&err),
            [
                (
                    ErrorCode::InterpolationValueMissing,
                    vec!["connection_config".into(), "a".into()]
                ),
                (
                    ErrorCode::InterpolationValueMissing,
                    vec!["connection_config".into(), "region".into()]
                ),
            ]
        );
        // The pre-redirect check counts '' as present.
        assert_eq!(
            missing_keys(
                "https://${connectionConfig.a}.${connectionConfig.region}.x.com",
                &cfg
            ),
            ["a"]
        );
    }

    #[test]
    fn alternatives_take_the_left_side_if_anything_changed() {
        let tpl = "https://${connectionConfig.host}/api || https://default.example.com/api";
        let with = config(json!({"host": "h.example.com"}));
        assert_eq!(
            interpolate_url(tpl, &with, Encoding::Component)
                .ok()
                .as_deref(),
            Some("https://h.example.com/api")
        );
        let without = config(json!({}));
        assert_eq!(
            interpolate_url(tpl, &without, Encoding::Component)
                .ok()
                .as_deref(),
            Some("https://default.example.com/api")
        );
    }

    #[test]
    fn encode_uri_component_matches_javascript() {
        assert_eq!(encode_uri_component("aZ09-_.!~*'()"), "aZ09-_.!~*'()");
        assert_eq!(
            encode_uri_component(" /?#&=+é😀"),
            "%20%2F%3F%23%26%3D%2B%C3%A9%F0%9F%98%80"
        );
    }

    #[test]
    fn proxy_base_url_decides_on_the_first_key() {
        let tpl = "https://${connectionConfig.subdomain}.example.com || https://api.example.com";
        let empty = Map::new();
        assert_eq!(
            interpolate_proxy_base_url(tpl, &config(json!({"subdomain": "acme"})), &empty)
                .ok()
                .as_deref(),
            Some("https://acme.example.com")
        );
        assert_eq!(
            interpolate_proxy_base_url(tpl, &empty, &empty)
                .ok()
                .as_deref(),
            Some("https://api.example.com")
        );
    }

    #[test]
    fn referenced_keys_are_distinct_and_ordered() {
        let tpl =
            "https://${connectionConfig.b}.${connectionConfig.a}/${connectionConfig.b}/${apiKey}";
        assert_eq!(referenced_keys(tpl), ["b", "a"]);
    }
}

//! Small shared checks for connect-session bodies: objects, unknown keys, strings, integration
//! keys and webhook URLs, each pushing connkit [`Issue`]s.
//!
//! Knows nothing about which field of the body it is checking beyond the path it is given.

use serde_json::{Map, Value};

use crate::ids::check_integration_key;
use crate::js::js_len;
use crate::js::url::{Host, ParsedUrl, parse};
use crate::nango::path_with;
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue, JsonType};

/// The object at `path`, or a `value_type_invalid` issue (`expected` is `Object` or `Record`).
pub(super) fn expect_object<'a>(
    value: &'a Value,
    path: &[String],
    expected: JsonType,
    issues: &mut Vec<Issue>,
) -> Option<&'a Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map),
        other => {
            issues.push(type_issue(path.to_vec(), expected, other));
            None
        }
    }
}

/// `value_type_invalid` with the expected and received types.
pub(super) fn type_issue(path: Vec<String>, expected: JsonType, value: &Value) -> Issue {
    Issue::new(ErrorCode::ValueTypeInvalid, path).with_detail(Detail::Expected {
        expected,
        received: JsonType::of(value),
    })
}

/// `key_unrecognized` at each key of `map` not in `allowed`.
pub(super) fn unknown_keys(
    map: &Map<String, Value>,
    allowed: &[&str],
    path: &[String],
    issues: &mut Vec<Issue>,
) {
    for key in map.keys() {
        if !allowed.contains(&key.as_str()) {
            issues.push(
                Issue::new(ErrorCode::KeyUnrecognized, path_with(path, key))
                    .with_detail(Detail::Name(key.clone())),
            );
        }
    }
}

/// An optional string of at most `max` UTF-16 units: `None` when absent or invalid (with an
/// issue for a non-string or a too-long string).
pub(super) fn optional_string<'a>(
    value: Option<&'a Value>,
    path: &[String],
    max: usize,
    issues: &mut Vec<Issue>,
) -> Option<&'a str> {
    match value? {
        Value::String(s) if js_len(s) > max => {
            issues.push(
                Issue::new(ErrorCode::StringTooLong, path.to_vec()).with_detail(Detail::Limit(max)),
            );
            None
        }
        Value::String(s) => Some(s),
        other => {
            issues.push(type_issue(path.to_vec(), JsonType::String, other));
            None
        }
    }
}

/// An integration unique key used as a record key (`integrations_config_defaults.<key>`).
pub(super) fn integration_record_key(
    key: &str,
    path: Vec<String>,
    issues: &mut Vec<Issue>,
) -> bool {
    let as_value = Value::String(key.to_owned());
    check_integration_key(Some(&as_value), path, issues).is_some()
}

/// What a webhook URL field held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum WebhookUrl {
    /// `""`: explicitly no override.
    Empty,
    /// A valid URL, normalised as zod's `z.url()` returns it.
    Url(String),
}

/// A webhook URL (`webhook_url_override`, deprecated `connection_config.webhook_url`): `""`, or an
/// absolute `http`/`https` URL whose host is not `nango.dev` or under it.
///
/// connkit is stricter than zod's `z.url()` here: other schemes (`ftp:`, `mailto:`, …) and
/// hosts with non-ASCII characters (give the `xn--` form) are `url_invalid`.
pub(super) fn webhook_url(
    value: &Value,
    path: &[String],
    issues: &mut Vec<Issue>,
) -> Option<WebhookUrl> {
    let Value::String(s) = value else {
        issues.push(type_issue(path.to_vec(), JsonType::String, value));
        return None;
    };
    if s.is_empty() {
        return Some(WebhookUrl::Empty);
    }
    let parsed = match parse(s) {
        Some(ParsedUrl::Special(u)) if matches!(u.scheme.as_str(), "http" | "https") => u,
        _ => {
            issues.push(Issue::new(ErrorCode::UrlInvalid, path.to_vec()));
            return None;
        }
    };
    let Host::Ascii(hostname) = &parsed.host else {
        issues.push(Issue::new(ErrorCode::UrlInvalid, path.to_vec()));
        return None;
    };
    if is_nango_host(hostname) {
        issues.push(Issue::new(ErrorCode::WebhookUrlNangoDomain, path.to_vec()));
        return None;
    }
    Some(WebhookUrl::Url(zod_url_value(s, &parsed.href)))
}

/// zod's `z.url()` output: the `href`, minus its trailing `/` if the input had none.
pub(super) fn zod_url_value(input: &str, href: &str) -> String {
    match href.strip_suffix('/') {
        Some(stripped) if !input.ends_with('/') => stripped.to_owned(),
        _ => href.to_owned(),
    }
}

/// `hostname.replace(/\.+$/, '')` is `nango.dev` or ends with `.nango.dev`.
pub(super) fn is_nango_host(hostname: &str) -> bool {
    let host = hostname.trim_end_matches('.');
    host == "nango.dev" || host.ends_with(".nango.dev")
}

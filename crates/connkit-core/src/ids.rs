//! Identifier formats of Nango's API (spec §6.1): connection ids and integration unique keys
//! (`provider_config_key`), and the issue a JSON value gets when it is not one; provider names
//! (spec §5.1). Nango checks each with `z.string().regex(pattern).max(255)`: its projection
//! ([`nango_connection_id_errors`], …) reports the pattern, then the length.
//!
//! Knows nothing about where the ids come from (path, query or body).

use serde_json::Value;

use crate::js::js_len;
use crate::limits::{CONNECTION_ID_MAX_LEN, NAME_MAX_LEN};
use crate::nango::NangoIssue;
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue, JsonType};

/// Nango's connection-id regular expression, as its messages quote it.
pub const CONNECTION_ID_PATTERN: &str = r#"^[a-zA-Z0-9,.;:=+~[\]|@${}"'\\/_ -]+$"#;
/// Nango's integration-key regular expression, as its messages quote it.
pub const INTEGRATION_KEY_PATTERN: &str = "^[a-zA-Z0-9~:.@ _-]+$";
/// Nango's provider-name regular expression, as its messages quote it.
pub const PROVIDER_NAME_PATTERN: &str = "^[a-zA-Z0-9_-]+$";

/// `^[a-zA-Z0-9,.;:=+~[\]|@${}"'\\/_ -]+$` and at most 255 UTF-16 units.
pub fn is_valid_connection_id(id: &str) -> bool {
    matches_connection_id_pattern(id) && js_len(id) <= CONNECTION_ID_MAX_LEN
}

/// The pattern part of [`is_valid_connection_id`] (zod checks pattern and length separately).
pub fn matches_connection_id_pattern(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b",.;:=+~[]|@${}\"'\\/_ -".contains(&b))
}

/// `^[a-zA-Z0-9~:.@ _-]+$` and at most 255 UTF-16 units.
pub fn is_valid_integration_key(key: &str) -> bool {
    matches_integration_key_pattern(key) && js_len(key) <= NAME_MAX_LEN
}

/// The pattern part of [`is_valid_integration_key`].
pub fn matches_integration_key_pattern(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"~:.@ _-".contains(&b))
}

/// `^[a-zA-Z0-9_-]+$`: a provider name as `GET /providers/:provider` accepts it (spec §5.1;
/// at most 255 UTF-16 units besides).
pub fn matches_provider_name_pattern(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Nango's issues for `id` as a connection id at `path` (`[]` when valid).
pub fn nango_connection_id_errors(id: &str, path: &[String]) -> Vec<NangoIssue> {
    pattern_then_length(
        matches_connection_id_pattern(id),
        CONNECTION_ID_PATTERN,
        js_len(id) > CONNECTION_ID_MAX_LEN,
        CONNECTION_ID_MAX_LEN,
        path,
    )
}

/// Nango's issues for `key` as an integration unique key at `path` (`[]` when valid).
pub fn nango_integration_key_errors(key: &str, path: &[String]) -> Vec<NangoIssue> {
    pattern_then_length(
        matches_integration_key_pattern(key),
        INTEGRATION_KEY_PATTERN,
        js_len(key) > NAME_MAX_LEN,
        NAME_MAX_LEN,
        path,
    )
}

/// Nango's issues for `name` as a provider name at `path` (`[]` when valid).
pub fn nango_provider_name_errors(name: &str, path: &[String]) -> Vec<NangoIssue> {
    pattern_then_length(
        matches_provider_name_pattern(name),
        PROVIDER_NAME_PATTERN,
        js_len(name) > NAME_MAX_LEN,
        NAME_MAX_LEN,
        path,
    )
}

/// zod's `regex` check, then its `max`: both run, in schema order.
fn pattern_then_length(
    matches: bool,
    pattern: &str,
    too_long: bool,
    max: usize,
    path: &[String],
) -> Vec<NangoIssue> {
    let mut out = Vec::new();
    if !matches {
        out.push(NangoIssue::pattern_mismatch(pattern, path.to_vec()));
    }
    if too_long {
        out.push(NangoIssue::string_too_big(max, path.to_vec()));
    }
    out
}

/// connkit's check of a connection id value at `path` (`value_required`, `value_type_invalid`,
/// `string_empty`, `string_too_long`, `connection_id_invalid`); the id when it is valid.
pub(crate) fn check_connection_id<'a>(
    value: Option<&'a Value>,
    path: Vec<String>,
    issues: &mut Vec<Issue>,
) -> Option<&'a str> {
    check_id(
        value,
        path,
        ErrorCode::ConnectionIdInvalid,
        CONNECTION_ID_MAX_LEN,
        is_valid_connection_id,
        issues,
    )
}

/// [`check_connection_id`] for an integration unique key (`integration_key_invalid`).
pub(crate) fn check_integration_key<'a>(
    value: Option<&'a Value>,
    path: Vec<String>,
    issues: &mut Vec<Issue>,
) -> Option<&'a str> {
    check_id(
        value,
        path,
        ErrorCode::IntegrationKeyInvalid,
        NAME_MAX_LEN,
        is_valid_integration_key,
        issues,
    )
}

/// Checks that `value` is a string accepted by `is_valid`, reporting `code` (or a type or length
/// issue) at `path`. Returns the string when it is valid.
fn check_id<'a>(
    value: Option<&'a Value>,
    path: Vec<String>,
    code: ErrorCode,
    max_len: usize,
    is_valid: fn(&str) -> bool,
    issues: &mut Vec<Issue>,
) -> Option<&'a str> {
    match value {
        None => {
            let expected = Detail::Expected {
                expected: JsonType::String,
                received: JsonType::Undefined,
            };
            issues.push(Issue::new(ErrorCode::ValueRequired, path).with_detail(expected));
            None
        }
        Some(Value::String(s)) if s.is_empty() => {
            issues.push(Issue::new(ErrorCode::StringEmpty, path));
            None
        }
        Some(Value::String(s)) if js_len(s) > max_len => {
            issues.push(
                Issue::new(ErrorCode::StringTooLong, path).with_detail(Detail::Limit(max_len)),
            );
            None
        }
        Some(Value::String(s)) if !is_valid(s) => {
            issues.push(Issue::new(code, path));
            None
        }
        Some(Value::String(s)) => Some(s),
        Some(other) => {
            let detail = Detail::Expected {
                expected: JsonType::String,
                received: JsonType::of(other),
            };
            issues.push(Issue::new(ErrorCode::ValueTypeInvalid, path).with_detail(detail));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_ids_allow_nangos_legacy_characters() {
        assert!(is_valid_connection_id("user-1"));
        assert!(is_valid_connection_id(
            "a b,c.d;e:f=g+h~i[j]k|l@m$n{o}p\"q'r\\s/t_u"
        ));
        assert!(!is_valid_connection_id(""));
        assert!(!is_valid_connection_id("é"));
        assert!(!is_valid_connection_id("a#b"));
        assert!(!is_valid_connection_id(&"a".repeat(256)));
    }

    #[test]
    fn integration_keys_are_narrower() {
        assert!(is_valid_integration_key("github-prod"));
        assert!(is_valid_integration_key("a~b:c.d@e f_g-h"));
        assert!(!is_valid_integration_key("a/b"));
        assert!(!is_valid_integration_key(""));
    }

    #[test]
    fn provider_names_are_narrower_still() {
        assert!(matches_provider_name_pattern("google-calendar_v2"));
        for bad in ["", "a.b", "a b", "a~b", "é"] {
            assert!(!matches_provider_name_pattern(bad), "{bad}");
        }
    }
}

//! The credentials bodies of Nango's API_KEY and BASIC auth endpoints (spec §3.3): strict
//! objects, `{"apiKey": string 1..1024}` and `{"username": string ≤1024, "password": string
//! ≤1024}` (empty strings allowed, the SDK sends `''` for a missing one), and the credentials
//! object a connection stores for them (`{"type": "API_KEY", "apiKey"}`, `{"type": "BASIC",
//! "username", "password"}`, spec §6.3), and the refresh-token stripping of GET
//! /connections/:id ([`strip_refresh_tokens`]).
//!
//! Knows nothing about HTTP or sessions, nor about the credential fields a provider declares in
//! providers.yaml (those are `form` and `field`).

use serde_json::{Map, Value};

use crate::js::js_len;
use crate::limits::CREDENTIAL_MAX_LEN;
use crate::nango::NangoIssue;
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue, JsonType, ValidationError};

/// Which auth endpoint's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialsKind {
    /// `POST /api-auth/api-key/:key`.
    ApiKey,
    /// `POST /api-auth/basic/:key`.
    Basic,
}

impl CredentialsKind {
    /// The body's fields, each with its minimum length.
    fn fields(self) -> &'static [(&'static str, usize)] {
        match self {
            CredentialsKind::ApiKey => &[("apiKey", 1)],
            CredentialsKind::Basic => &[("username", 0), ("password", 0)],
        }
    }

    /// The stored `credentials.type`.
    pub fn auth_mode(self) -> &'static str {
        match self {
            CredentialsKind::ApiKey => "API_KEY",
            CredentialsKind::Basic => "BASIC",
        }
    }
}

/// Validates an auth body (`None`: no body was sent) and returns the credentials object a
/// connection stores, `type` first.
pub fn validate_credentials(
    kind: CredentialsKind,
    input: Option<&Value>,
) -> Result<Value, ValidationError> {
    let Some(Value::Object(map)) = input else {
        let received = input.map_or(JsonType::Undefined, JsonType::of);
        let detail = Detail::Expected {
            expected: JsonType::Object,
            received,
        };
        let issue = Issue::new(ErrorCode::ValueTypeInvalid, Vec::new()).with_detail(detail);
        // An error-severity issue: always `Err`.
        return ValidationError::from_issues(vec![issue]).map(|_| Value::Null);
    };
    let mut issues = Vec::new();
    let mut out = Map::new();
    out.insert("type".to_owned(), Value::from(kind.auth_mode()));
    for &(name, min) in kind.fields() {
        let path = vec![name.to_owned()];
        match map.get(name) {
            Some(Value::String(s)) if min > 0 && js_len(s) < min => {
                issues.push(Issue::new(ErrorCode::StringEmpty, path));
            }
            Some(Value::String(s)) if js_len(s) > CREDENTIAL_MAX_LEN => {
                let detail = Detail::Limit(CREDENTIAL_MAX_LEN);
                issues.push(Issue::new(ErrorCode::StringTooLong, path).with_detail(detail));
            }
            Some(Value::String(s)) => {
                out.insert(name.to_owned(), Value::String(s.clone()));
            }
            other => {
                let (code, received) = match other {
                    None => (ErrorCode::ValueRequired, JsonType::Undefined),
                    Some(v) => (ErrorCode::ValueTypeInvalid, JsonType::of(v)),
                };
                let detail = Detail::Expected {
                    expected: JsonType::String,
                    received,
                };
                issues.push(Issue::new(code, path).with_detail(detail));
            }
        }
    }
    for key in map
        .keys()
        .filter(|k| !kind.fields().iter().any(|(f, _)| f == k))
    {
        issues.push(Issue::new(ErrorCode::KeyUnrecognized, vec![key.clone()]));
    }
    ValidationError::from_issues(issues)?;
    Ok(Value::Object(out))
}

/// Nango's `invalid_body` errors for the same body (zod's order: fields, then unknown keys).
pub fn nango_credentials_errors(kind: CredentialsKind, input: Option<&Value>) -> Vec<NangoIssue> {
    let Some(Value::Object(map)) = input else {
        let received = input.map_or(JsonType::Undefined, JsonType::of);
        return vec![NangoIssue::invalid_type(
            JsonType::Object,
            received,
            Vec::new(),
        )];
    };
    let mut out = Vec::new();
    for &(name, min) in kind.fields() {
        let path = vec![name.to_owned()];
        match map.get(name) {
            Some(Value::String(s)) => {
                if js_len(s) < min {
                    out.push(NangoIssue::string_too_small(min, path.clone()));
                }
                if js_len(s) > CREDENTIAL_MAX_LEN {
                    out.push(NangoIssue::string_too_big(CREDENTIAL_MAX_LEN, path));
                }
            }
            other => {
                let received = other.map_or(JsonType::Undefined, JsonType::of);
                out.push(NangoIssue::invalid_type(JsonType::String, received, path));
            }
        }
    }
    let unknown: Vec<&str> = map
        .keys()
        .map(String::as_str)
        .filter(|k| !kind.fields().iter().any(|(f, _)| f == k))
        .collect();
    if !unknown.is_empty() {
        out.push(NangoIssue::unrecognized_keys(&unknown, Vec::new()));
    }
    out
}

/// Removes, at every depth, each key whose ASCII letters, lowercased, read `refreshtoken`
/// (`refresh_token`, `refreshToken`, `Refresh-Token`…), as GET /connections/:id does to the
/// credentials and the connection_config unless `refresh_token=true` (spec §6.3).
pub fn strip_refresh_tokens(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| {
                let letters: String = key
                    .chars()
                    .filter(char::is_ascii_alphabetic)
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                letters != "refreshtoken"
            });
            map.values_mut().for_each(strip_refresh_tokens);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_refresh_tokens),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes(kind: CredentialsKind, input: Option<&Value>) -> Vec<(String, Vec<String>)> {
        match validate_credentials(kind, input) {
            Ok(_) => Vec::new(),
            Err(err) => err
                .into_issues()
                .into_iter()
                .map(|i| (i.code().as_str().to_owned(), i.path().to_vec()))
                .collect(),
        }
    }

    fn nango(kind: CredentialsKind, input: Option<&Value>) -> Vec<(&'static str, Vec<String>)> {
        nango_credentials_errors(kind, input)
            .into_iter()
            .map(|i| (i.code, i.path))
            .collect()
    }

    fn p(s: &str) -> Vec<String> {
        if s.is_empty() {
            Vec::new()
        } else {
            vec![s.to_owned()]
        }
    }

    #[test]
    fn refresh_tokens_are_stripped_at_every_depth() {
        let mut value = json!({
            "refresh_token": "a", "Refresh-Token": "b", "keep": 1,
            "raw": {"refreshToken": "c", "list": [{"REFRESH_TOKEN_": "d", "x": 2}]}
        });
        strip_refresh_tokens(&mut value);
        assert_eq!(value, json!({"keep": 1, "raw": {"list": [{"x": 2}]}}));
    }

    #[test]
    fn api_key_bodies() {
        use CredentialsKind::ApiKey;
        let ok = validate_credentials(ApiKey, Some(&json!({"apiKey": "k"}))).unwrap();
        assert_eq!(ok.to_string(), r#"{"type":"API_KEY","apiKey":"k"}"#);
        // (body, connkit's (code, path), Nango's (code, path))
        type Case = (
            Option<Value>,
            Vec<(&'static str, &'static str)>,
            Vec<(&'static str, &'static str)>,
        );
        let cases: [Case; 7] = [
            (
                None,
                vec![("value_type_invalid", "")],
                vec![("invalid_type", "")],
            ),
            (
                Some(json!([])),
                vec![("value_type_invalid", "")],
                vec![("invalid_type", "")],
            ),
            (
                Some(json!({})),
                vec![("value_required", "apiKey")],
                vec![("invalid_type", "apiKey")],
            ),
            (
                Some(json!({"apiKey": ""})),
                vec![("string_empty", "apiKey")],
                vec![("too_small", "apiKey")],
            ),
            (
                Some(json!({"apiKey": "x".repeat(1025)})),
                vec![("string_too_long", "apiKey")],
                vec![("too_big", "apiKey")],
            ),
            (
                Some(json!({"apiKey": 12})),
                vec![("value_type_invalid", "apiKey")],
                vec![("invalid_type", "apiKey")],
            ),
            (
                Some(json!({"apiKey": "k", "extra": 1})),
                vec![("key_unrecognized", "extra")],
                vec![("unrecognized_keys", "")],
            ),
        ];
        for (input, ours, theirs) in cases {
            let ours: Vec<_> = ours.iter().map(|(c, q)| ((*c).to_owned(), p(q))).collect();
            let theirs: Vec<_> = theirs.iter().map(|(c, q)| (*c, p(q))).collect();
            assert_eq!(codes(ApiKey, input.as_ref()), ours, "{input:?}");
            assert_eq!(nango(ApiKey, input.as_ref()), theirs, "{input:?}");
        }
        // 1024 UTF-16 units is the limit: 512 astral characters fit, 513 do not.
        let astral = |n: usize| json!({"apiKey": "😀".repeat(n)});
        assert!(validate_credentials(ApiKey, Some(&astral(512))).is_ok());
        assert!(validate_credentials(ApiKey, Some(&astral(513))).is_err());
    }

    #[test]
    fn basic_bodies_allow_empty_strings() {
        use CredentialsKind::Basic;
        let ok = validate_credentials(Basic, Some(&json!({"password": "", "username": "u"})));
        assert_eq!(
            ok.unwrap().to_string(),
            r#"{"type":"BASIC","username":"u","password":""}"#
        );
        assert_eq!(
            codes(Basic, Some(&json!({"username": "u"}))),
            [("value_required".to_owned(), p("password"))]
        );
        assert_eq!(
            nango(Basic, Some(&json!({"username": null, "apiKey": "k"}))),
            [
                ("invalid_type", p("username")),
                ("invalid_type", p("password")),
                ("unrecognized_keys", p(""))
            ]
        );
    }
}

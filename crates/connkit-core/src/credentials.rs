//! The strict bodies of Nango's credential endpoints (spec §3.3): `{"apiKey": string 1..1024}`,
//! `{"username": string ≤1024, "password": string ≤1024}` (empty strings allowed, the SDK sends
//! `''` for a missing one), TBA's `{token_id, token_secret, oauth_client_id_override?,
//! oauth_client_secret_override?}`, BILL's `{username, password, organization_id, dev_key}`,
//! SIGNATURE's `{username, password, type}` and AWS_SIGV4's `{role_arn, region?}` (read in
//! `packages/server/lib/controllers/auth/{postApiKey,postBasic,postTba,postBill,postSignature,
//! postAwsSigV4}.ts`); the credentials object a connection stores for API_KEY and BASIC
//! (`{"type": "API_KEY", "apiKey"}`, `{"type": "BASIC", "username", "password"}`, spec §6.3),
//! and the refresh-token stripping of GET /connections/:id ([`strip_refresh_tokens`]).
//!
//! Knows nothing about HTTP or sessions, nor about the credential fields a provider declares in
//! providers.yaml (those are `form` and `field`), nor about what the other modes make of their
//! bodies (`modes`).

use serde_json::{Map, Value};

use crate::js::js_len;
use crate::limits::{AWS_REGION_MAX_LEN, CREDENTIAL_MAX_LEN};
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
    /// `POST /auth/tba/:key`.
    Tba,
    /// `POST /auth/bill/:key`.
    Bill,
    /// `POST /auth/signature/:key`.
    Signature,
    /// `POST /auth/aws-sigv4/:key`.
    AwsSigV4,
}

/// One member of a strict body: a string with a length range, maybe optional, maybe with a
/// pattern (Nango's `z.string().min(min).max(max).regex(…)`).
struct FieldSpec {
    name: &'static str,
    min: usize,
    max: Option<usize>,
    optional: bool,
    pattern: Option<Pattern>,
}

/// A `regex` check: the test, the pattern as connkit reports it, and Nango's message.
struct Pattern {
    test: fn(&str) -> bool,
    source: &'static str,
    message: &'static str,
}

const fn required(name: &'static str, min: usize) -> FieldSpec {
    FieldSpec {
        name,
        min,
        max: None,
        optional: false,
        pattern: None,
    }
}

const fn optional(name: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        min: 0,
        max: None,
        optional: true,
        pattern: None,
    }
}

const API_KEY: [FieldSpec; 1] = [FieldSpec {
    max: Some(CREDENTIAL_MAX_LEN),
    ..required("apiKey", 1)
}];
const BASIC: [FieldSpec; 2] = [
    FieldSpec {
        max: Some(CREDENTIAL_MAX_LEN),
        ..required("username", 0)
    },
    FieldSpec {
        max: Some(CREDENTIAL_MAX_LEN),
        ..required("password", 0)
    },
];
const TBA: [FieldSpec; 4] = [
    required("token_id", 1),
    required("token_secret", 1),
    optional("oauth_client_id_override"),
    optional("oauth_client_secret_override"),
];
const BILL: [FieldSpec; 4] = [
    required("username", 1),
    required("password", 1),
    required("organization_id", 1),
    required("dev_key", 1),
];
const SIGNATURE: [FieldSpec; 3] = [
    required("username", 1),
    required("password", 1),
    required("type", 1),
];
const AWS_SIGV4: [FieldSpec; 2] = [
    required("role_arn", 1),
    FieldSpec {
        min: 1,
        max: Some(AWS_REGION_MAX_LEN),
        pattern: Some(Pattern {
            test: is_aws_region_text,
            source: "^[a-z0-9-]+$",
            message: "AWS region must contain only lowercase letters, digits, and hyphens",
        }),
        ..optional("region")
    },
];

/// `^[a-z0-9-]+$`.
fn is_aws_region_text(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl CredentialsKind {
    /// The body's members, in the schema's order.
    fn fields(self) -> &'static [FieldSpec] {
        match self {
            CredentialsKind::ApiKey => &API_KEY,
            CredentialsKind::Basic => &BASIC,
            CredentialsKind::Tba => &TBA,
            CredentialsKind::Bill => &BILL,
            CredentialsKind::Signature => &SIGNATURE,
            CredentialsKind::AwsSigV4 => &AWS_SIGV4,
        }
    }

    /// The stored `credentials.type`.
    pub fn auth_mode(self) -> &'static str {
        match self {
            CredentialsKind::ApiKey => "API_KEY",
            CredentialsKind::Basic => "BASIC",
            CredentialsKind::Tba => "TBA",
            CredentialsKind::Bill => "BILL",
            CredentialsKind::Signature => "SIGNATURE",
            CredentialsKind::AwsSigV4 => "AWS_SIGV4",
        }
    }
}

/// Validates an auth body (`None`: no body was sent) and returns the credentials object a
/// connection stores, `type` first: for API_KEY and BASIC the whole of it; for the other kinds,
/// whose modes make their credentials from the body (`modes`), `type` and the members given.
pub fn validate_credentials(
    kind: CredentialsKind,
    input: Option<&Value>,
) -> Result<Value, ValidationError> {
    let body = validate_body(kind, input)?;
    let mut out = Map::new();
    out.insert("type".to_owned(), Value::from(kind.auth_mode()));
    out.extend(body);
    Ok(Value::Object(out))
}

/// Validates an auth body and returns its members as given (optional ones only when sent).
pub fn validate_body(
    kind: CredentialsKind,
    input: Option<&Value>,
) -> Result<Map<String, Value>, ValidationError> {
    let Some(Value::Object(map)) = input else {
        let received = input.map_or(JsonType::Undefined, JsonType::of);
        let detail = Detail::Expected {
            expected: JsonType::Object,
            received,
        };
        let issue = Issue::new(ErrorCode::ValueTypeInvalid, Vec::new()).with_detail(detail);
        // An error-severity issue: always `Err`.
        return ValidationError::from_issues(vec![issue]).map(|_| Map::new());
    };
    let mut issues = Vec::new();
    let mut out = Map::new();
    for spec in kind.fields() {
        let path = vec![spec.name.to_owned()];
        match map.get(spec.name) {
            None if spec.optional => {}
            Some(Value::String(s)) => {
                let len = js_len(s);
                let before = issues.len();
                if len < spec.min {
                    issues.push(Issue::new(ErrorCode::StringEmpty, path.clone()));
                } else if let Some(max) = spec.max.filter(|max| len > *max) {
                    let detail = Detail::Limit(max);
                    issues.push(
                        Issue::new(ErrorCode::StringTooLong, path.clone()).with_detail(detail),
                    );
                } else if let Some(pattern) = spec.pattern.as_ref().filter(|p| !(p.test)(s)) {
                    let detail = Detail::Name(pattern.source.to_owned());
                    issues.push(
                        Issue::new(ErrorCode::FieldPatternMismatch, path).with_detail(detail),
                    );
                }
                if issues.len() == before {
                    out.insert(spec.name.to_owned(), Value::String(s.clone()));
                }
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
        .filter(|k| !kind.fields().iter().any(|f| f.name == k.as_str()))
    {
        issues.push(Issue::new(ErrorCode::KeyUnrecognized, vec![key.clone()]));
    }
    ValidationError::from_issues(issues)?;
    Ok(out)
}

/// Nango's `invalid_body` errors for the same body (zod's order: fields, each one's checks in
/// order, then unknown keys).
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
    for spec in kind.fields() {
        let path = vec![spec.name.to_owned()];
        match map.get(spec.name) {
            None if spec.optional => {}
            Some(Value::String(s)) => {
                if js_len(s) < spec.min {
                    out.push(NangoIssue::string_too_small(spec.min, path.clone()));
                }
                if let Some(max) = spec.max.filter(|max| js_len(s) > *max) {
                    out.push(NangoIssue::string_too_big(max, path.clone()));
                }
                if let Some(pattern) = spec.pattern.as_ref().filter(|p| !(p.test)(s)) {
                    out.push(NangoIssue::new("invalid_format", pattern.message, path));
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
        .filter(|k| !kind.fields().iter().any(|f| f.name == *k))
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

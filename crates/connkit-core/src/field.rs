//! Validation of submitted Connect UI values (spec §4.3, Connect UI's `jsonSchemaToZod`): a value
//! against its field's [`FieldRule`], one form field, one group, or a whole submission against a
//! [`Form`]; and the connection_config values a provider's URL templates would carry
//! ([`check_template_values`]). The form model (`crate::form`) describes the fields and their
//! rules; this module only checks values against them.
//!
//! Patterns go through a [`PatternMatcher`]; this module never compiles a regex. Knows nothing
//! about how the form was built, about HTTP or about the DOM.

mod formats;
mod submission;

use serde_json::{Map, Value};

pub use formats::{is_valid_hostname, is_valid_uuid};
pub use submission::{
    Submission, SubmittedObject, SubmittedRef, SubmittedValues, check_submitted, to_submission,
    validate_group, validate_group_fields, validate_submission, validate_submission_fields,
    with_json_values,
};

use crate::catalogue::{FieldFormat, FieldSchema};
use crate::email::is_valid_email;
use crate::form::{FieldRule, FormField};
use crate::interpolate::referenced_keys;
use crate::pattern::PatternMatcher;
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue, Severity};

/// Checks one value against `rule` (what `rule` says a field accepts); issues are located at
/// `path`.
///
/// `field_pattern_unusable` (a warning) is reported whenever the rule has a pattern the
/// matcher cannot compile, whatever the value; the pattern is then not enforced.
pub fn check_value(
    rule: &FieldRule,
    value: Option<&Value>,
    path: &[String],
    matcher: &dyn PatternMatcher,
) -> Vec<Issue> {
    check_value_at(rule, value, &|| path.to_vec(), matcher)
}

/// [`check_value`] with the path made only for an issue (a valid value, the common case on a
/// keystroke, then allocates nothing for it).
fn check_value_at(
    rule: &FieldRule,
    value: Option<&Value>,
    path: &dyn Fn() -> Vec<String>,
    matcher: &dyn PatternMatcher,
) -> Vec<Issue> {
    check_ref_at(rule, value.map(SubmittedRef::of), path, matcher)
}

/// [`check_value_at`] on a value as [`SubmittedRef`] reads it (absent is `None`).
fn check_ref_at(
    rule: &FieldRule,
    value: Option<SubmittedRef<'_>>,
    path: &dyn Fn() -> Vec<String>,
    matcher: &dyn PatternMatcher,
) -> Vec<Issue> {
    let text = match value {
        None => "",
        Some(SubmittedRef::Str(s)) => s,
        Some(SubmittedRef::Other(received)) => {
            return vec![
                Issue::new(ErrorCode::FieldNotString, path())
                    .with_detail(Detail::Received(received)),
            ];
        }
    };
    let issue = |code| vec![Issue::new(code, path())];
    match rule {
        FieldRule::AnyString => Vec::new(),
        FieldRule::OneOf { values, optional } => {
            if values.iter().any(|v| v == text) || (text.is_empty() && *optional) {
                Vec::new()
            } else if text.is_empty() {
                issue(ErrorCode::FieldRequired)
            } else {
                issue(ErrorCode::FieldEnumMismatch)
            }
        }
        FieldRule::Text {
            optional,
            non_empty,
            format,
            pattern,
        } => {
            let mut issues = Vec::new();
            // One question to the matcher whatever the value (a host's matcher may be a call
            // into JavaScript): the verdict on the value, or the pattern's being unusable.
            let matched = pattern
                .as_deref()
                .and_then(|p| match matcher.test(p, text) {
                    Ok(matched) => Some((p, matched)),
                    Err(_) => {
                        issues.push(Issue::warning(ErrorCode::FieldPatternUnusable, path()));
                        None
                    }
                });
            if text.is_empty() && *optional {
                return issues;
            }
            if text.is_empty() && (*non_empty || format.is_some()) {
                issues.push(Issue::new(ErrorCode::FieldRequired, path()));
                return issues;
            }
            if let Some(code) = format.as_ref().and_then(|f| format_error(f, text, matcher)) {
                issues.push(Issue::new(code, path()));
            }
            if let Some((pattern, false)) = matched {
                issues.push(
                    Issue::new(ErrorCode::FieldPatternMismatch, path())
                        .with_detail(Detail::Name(pattern.to_owned())),
                );
            }
            issues
        }
    }
}

/// Whether `text` passes zod's `url()`: as the host's engine says (`engine-url`), else as
/// core's WHATWG parser does.
#[cfg(feature = "engine-url")]
fn url_ok(text: &str, matcher: &dyn PatternMatcher) -> bool {
    matcher.url_can_parse(text)
}

#[cfg(not(feature = "engine-url"))]
fn url_ok(text: &str, _: &dyn PatternMatcher) -> bool {
    crate::js::url_can_parse(text)
}

/// The code for a value that fails `format`, if it does (`uri` as `matcher`'s engine parses URLs).
fn format_error(
    format: &FieldFormat,
    text: &str,
    matcher: &dyn PatternMatcher,
) -> Option<ErrorCode> {
    let (ok, code) = match format {
        FieldFormat::Hostname => (is_valid_hostname(text), ErrorCode::FieldHostnameInvalid),
        FieldFormat::Uuid => (is_valid_uuid(text), ErrorCode::FieldUuidInvalid),
        FieldFormat::Uri => (url_ok(text, matcher), ErrorCode::FieldUriInvalid),
        FieldFormat::Email => (is_valid_email(text), ErrorCode::FieldEmailInvalid),
        // Connect UI ignores formats it does not know.
        FieldFormat::Other(_) => return None,
    };
    (!ok).then_some(code)
}

/// Checks one form field's value (what the widget does on every change). Paths are `[group, name]`.
pub fn validate_field(
    field: &FormField,
    value: Option<&Value>,
    matcher: &dyn PatternMatcher,
) -> Vec<Issue> {
    check_value_at(&field.rule, value, &|| field.path(), matcher)
}

/// Checks the connection_config values a provider's URL templates would carry (spec §5.4)
/// against the rules of the provider's `connection_config` fields, before any request goes out:
/// for every key the templates reference (`${connectionConfig.key}`) that a field declares and
/// that holds a value other than `''`, the field's [`FieldRule`] (pattern, format, enum). Nango
/// checks none of this server-side; connkit does so that a value cannot point a request
/// elsewhere than the catalogue says. Missing and empty values are left to the interpolation's
/// own checks. Issues are at `["connection_config", key]`; the unusable-pattern warning is
/// dropped (the pattern is then not enforced).
pub fn check_template_values<'a>(
    fields: &[FieldSchema],
    templates: impl IntoIterator<Item = &'a str>,
    connection_config: &Map<String, Value>,
    matcher: &dyn PatternMatcher,
) -> Vec<Issue> {
    let mut keys: Vec<String> = Vec::new();
    for template in templates {
        for key in referenced_keys(template) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    let mut issues = Vec::new();
    for key in keys {
        let Some(field) = fields.iter().find(|f| f.name == key) else {
            continue;
        };
        let value = match connection_config.get(&key) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) if s.is_empty() => continue,
            Some(value) => value,
        };
        let path = vec!["connection_config".to_owned(), key.clone()];
        let rule = FieldRule::from_schema(field);
        issues.extend(
            check_value(&rule, Some(value), &path, matcher)
                .into_iter()
                .filter(|it| it.severity() == Severity::Error),
        );
    }
    issues
}

#[cfg(all(test, feature = "ecmascript-regex"))]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::catalogue::Provider;
    use crate::form::FieldGroup;
    use crate::form::{FormOptions, build_form};
    use crate::pattern::EcmaRegex;

    fn codes(issues: &[Issue]) -> Vec<(&'static str, String)> {
        issues
            .iter()
            .map(|it| (it.code().as_str(), it.path().join(".")))
            .collect()
    }

    fn check(rule: &FieldRule, value: Value) -> Vec<(&'static str, String)> {
        codes(&check_value(
            rule,
            Some(&value),
            &["params".into(), "f".into()],
            &EcmaRegex::new(),
        ))
    }

    #[test]
    fn every_code_at_the_field_path() {
        let f = "params.f".to_owned();
        assert_eq!(
            check(&FieldRule::required(), json!("")),
            [("field_required", f.clone())]
        );
        assert_eq!(
            check(&FieldRule::required(), json!(1)),
            [("field_not_string", f.clone())]
        );
        assert_eq!(
            check(&FieldRule::AnyString, json!(null)),
            [("field_not_string", f.clone())]
        );
        assert_eq!(
            check(
                &FieldRule::OneOf {
                    values: vec!["a".into()],
                    optional: false
                },
                json!("b")
            ),
            [("field_enum_mismatch", f.clone())]
        );
        let text = |format, pattern: Option<&str>| FieldRule::Text {
            optional: false,
            non_empty: false,
            format,
            pattern: pattern.map(str::to_owned),
        };
        assert_eq!(
            check(&text(Some(FieldFormat::Hostname), None), json!("a b")),
            [("field_hostname_invalid", f.clone())]
        );
        assert_eq!(
            check(&text(Some(FieldFormat::Uuid), None), json!("x")),
            [("field_uuid_invalid", f.clone())]
        );
        assert_eq!(
            check(&text(Some(FieldFormat::Uri), None), json!("x")),
            [("field_uri_invalid", f.clone())]
        );
        assert_eq!(
            check(&text(Some(FieldFormat::Email), None), json!("x")),
            [("field_email_invalid", f.clone())]
        );
        assert_eq!(
            check(
                &text(Some(FieldFormat::Other("date".into())), None),
                json!("x")
            ),
            []
        );
        assert_eq!(
            check(&text(None, Some("^a$")), json!("b")),
            [("field_pattern_mismatch", f.clone())]
        );
        let unusable = FieldRule::Text {
            optional: false,
            non_empty: true,
            format: None,
            pattern: Some("(".into()),
        };
        let issues = check_value(
            &unusable,
            Some(&json!("")),
            &["params".into(), "f".into()],
            &EcmaRegex::new(),
        );
        assert_eq!(
            codes(&issues),
            [("field_pattern_unusable", f.clone()), ("field_required", f)]
        );
        assert_eq!(
            issues.first().map(Issue::severity),
            Some(crate::Severity::Warning)
        );
    }

    #[test]
    fn submissions_normalise_and_collect_warnings() {
        let p = Provider::from_json(
            "p",
            &json!({"display_name": "P", "auth_mode": "API_KEY", "connection_config": {"sub": {"pattern": "^[a-z]+$"}}}),
        );
        let form = build_form(
            &p.unwrap_or_else(|e| panic!("{e}")),
            &FormOptions::default(),
        );
        let ok = validate_submission(
            &form,
            &json!({"credentials": {"apiKey": "k"}, "params": {"sub": "acme", "extra": "x"}}),
            &EcmaRegex::new(),
        );
        let ok = ok.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ok.to_json(),
            json!({"credentials": {"apiKey": "k"}, "params": {"sub": "acme", "extra": "x"}})
        );
        assert_eq!(ok.get(FieldGroup::Params, "sub"), Some("acme"));
        assert_eq!(
            codes(ok.warnings()),
            [("field_unknown", "params.extra".to_owned())]
        );
        let err = validate_submission(
            &form,
            &json!({"params": {"sub": "ACME"}}),
            &EcmaRegex::new(),
        )
        .err()
        .map(|e| codes(e.issues()));
        assert_eq!(
            err,
            Some(vec![
                ("field_required", "credentials.apiKey".to_owned()),
                ("field_pattern_mismatch", "params.sub".to_owned())
            ])
        );
        let err = validate_group(&form, FieldGroup::Params, &json!(null), &EcmaRegex::new())
            .err()
            .map(|e| codes(e.issues()));
        assert_eq!(err, Some(vec![("value_type_invalid", "params".to_owned())]));
    }
}

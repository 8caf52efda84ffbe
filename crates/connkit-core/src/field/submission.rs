//! A submission (Connect UI's `{credentials, params, assertion_option}`) or one group's values
//! checked against a form's fields, over either reading of the values: serde_json objects
//! ([`validate_submission_fields`], [`validate_group_fields`]) or a host's borrowed strings
//! ([`check_submitted`]: a form page's keystroke, which then builds no `Value` and no
//! [`Submission`]). Both go through one walk (`check_top`, `check_group`), so they cannot give
//! different verdicts.
//!
//! Knows nothing about how the values were read or how the form was built.

use serde_json::{Map, Value};

use super::check_ref_at;
use crate::form::{FieldGroup, Form, FormField};
use crate::nango::path_with;
use crate::pattern::PatternMatcher;
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue, JsonType, ValidationError};

/// A submitted value as the rules read it: a string, or the JSON type of anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmittedRef<'a> {
    /// A string.
    Str(&'a str),
    /// Not a string: its JSON type.
    Other(JsonType),
}

impl<'a> SubmittedRef<'a> {
    /// How the rules read a JSON value.
    pub fn of(value: &'a Value) -> Self {
        match value {
            Value::String(s) => SubmittedRef::Str(s),
            other => SubmittedRef::Other(JsonType::of(other)),
        }
    }
}

/// A top-level value of a submission as a host holds it borrowed: a group's object of string
/// values (its `(key, value)` pairs in input order), or a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted<'a> {
    /// An object whose values are all strings.
    Object(&'a [(&'a str, &'a str)]),
    /// A string.
    Str(&'a str),
}

/// What [`check_submitted`] checks: a whole submission's top-level `(key, value)` pairs, or one
/// group's object (as [`validate_group_fields`] takes it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmittedValues<'a> {
    /// `{credentials, params, assertion_option}`, in input order.
    Submission(&'a [(&'a str, Submitted<'a>)]),
    /// One group's values.
    Group(FieldGroup, &'a [(&'a str, &'a str)]),
}

/// Validated, normalised values: strings only, grouped as Connect UI submits them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Submission {
    credentials: Vec<(String, String)>,
    params: Vec<(String, String)>,
    assertion_option: Vec<(String, String)>,
    warnings: Vec<Issue>,
}

impl Submission {
    /// The `(name, value)` pairs of one group: form fields in form order, then undeclared keys
    /// in input order. Fields that were not submitted are absent (no default is filled in).
    pub fn group(&self, group: FieldGroup) -> &[(String, String)] {
        match group {
            FieldGroup::Credentials => &self.credentials,
            FieldGroup::Params => &self.params,
            FieldGroup::AssertionOption => &self.assertion_option,
        }
    }

    /// One value.
    pub fn get(&self, group: FieldGroup, name: &str) -> Option<&str> {
        self.group(group)
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Warnings (`field_unknown`, `field_pattern_unusable`).
    pub fn warnings(&self) -> &[Issue] {
        &self.warnings
    }

    /// `{"credentials": {…}, "params": {…}, "assertion_option": {…}}`, non-empty groups only.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        for group in FieldGroup::ALL {
            let pairs = self.group(group);
            if !pairs.is_empty() {
                let map = pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                out.insert(group.as_str().to_owned(), Value::Object(map));
            }
        }
        Value::Object(out)
    }

    fn push(&mut self, group: FieldGroup, key: &str, value: &str) {
        let pairs = match group {
            FieldGroup::Credentials => &mut self.credentials,
            FieldGroup::Params => &mut self.params,
            FieldGroup::AssertionOption => &mut self.assertion_option,
        };
        pairs.push((key.to_owned(), value.to_owned()));
    }
}

/// Validates a whole submission `{"credentials": {…}, "params": {…}, "assertion_option": {…}}`
/// against `form`, reporting every problem. A missing group counts as `{}`.
///
/// Errors: `value_type_invalid` (the submission or a group is not an object), the per-field
/// codes of [`check_value`](super::check_value) at `[group, name]`, `field_not_string` for an
/// undeclared key whose value is not a string. Warnings: `field_unknown` for an undeclared key
/// (kept in the output when it is a string) or top-level key, `field_pattern_unusable`.
pub fn validate_submission(
    form: &Form,
    values: &Value,
    matcher: &dyn PatternMatcher,
) -> Result<Submission, ValidationError> {
    validate_submission_fields(form.fields(), values, matcher)
}

/// [`validate_submission`] against a form's fields alone (a host that keeps only what checking
/// needs of a form between keystrokes; see [`FormField::for_checking`]).
pub fn validate_submission_fields(
    fields: &[FormField],
    values: &Value,
    matcher: &dyn PatternMatcher,
) -> Result<Submission, ValidationError> {
    let Value::Object(map) = values else {
        return finish(
            Submission::default(),
            vec![type_issue(Vec::new(), JsonType::of(values))],
        );
    };
    let top = map.iter().map(|(key, value)| {
        let group = match value {
            Value::Object(map) => Ok(json_entries(map)),
            other => Err(JsonType::of(other)),
        };
        (key.as_str(), group)
    });
    let mut out = Submission::default();
    let mut issues = Vec::new();
    check_top(
        fields,
        top,
        matcher,
        &mut |group, _, key, value| out.push(group, key, value),
        &mut issues,
    );
    finish(out, issues)
}

/// Validates one group's values (e.g. a connection_config object against the `params` fields).
/// Paths are `[group, name]`, as in [`validate_submission`].
pub fn validate_group(
    form: &Form,
    group: FieldGroup,
    values: &Value,
    matcher: &dyn PatternMatcher,
) -> Result<Submission, ValidationError> {
    validate_group_fields(form.fields(), group, values, matcher)
}

/// [`validate_group`] against a form's fields alone (see [`validate_submission_fields`]).
pub fn validate_group_fields(
    fields: &[FormField],
    group: FieldGroup,
    values: &Value,
    matcher: &dyn PatternMatcher,
) -> Result<Submission, ValidationError> {
    let mut out = Submission::default();
    let mut issues = Vec::new();
    match values {
        Value::Object(map) => check_group(
            fields,
            group,
            json_entries(map),
            matcher,
            &mut |_, key, value| out.push(group, key, value),
            &mut issues,
        ),
        other => issues.push(type_issue(
            vec![group.as_str().to_owned()],
            JsonType::of(other),
        )),
    }
    finish(out, issues)
}

/// [`validate_submission_fields`] or [`validate_group_fields`] on values a host holds as
/// borrowed strings, giving the same verdicts and issues without building a `Value` or a
/// [`Submission`]: what the [`Submission`] would hold is reported to `keep`, in its order, as
/// `(group, index of the pair in that group's input object)`. `Ok` holds the warnings.
pub fn check_submitted(
    fields: &[FormField],
    values: SubmittedValues<'_>,
    matcher: &dyn PatternMatcher,
    keep: &mut dyn FnMut(FieldGroup, usize),
) -> Result<Vec<Issue>, ValidationError> {
    let mut issues = Vec::new();
    match values {
        SubmittedValues::Submission(top) => {
            let top = top.iter().map(|&(key, value)| {
                let group = match value {
                    Submitted::Object(pairs) => Ok(string_entries(pairs)),
                    Submitted::Str(_) => Err(JsonType::String),
                };
                (key, group)
            });
            check_top(
                fields,
                top,
                matcher,
                &mut |group, i, _, _| keep(group, i),
                &mut issues,
            );
        }
        SubmittedValues::Group(group, pairs) => check_group(
            fields,
            group,
            string_entries(pairs),
            matcher,
            &mut |i, _, _| keep(group, i),
            &mut issues,
        ),
    }
    ValidationError::from_issues(issues)
}

type Entry<'a> = (&'a str, SubmittedRef<'a>);

fn json_entries(map: &Map<String, Value>) -> impl Iterator<Item = Entry<'_>> + Clone {
    map.iter()
        .map(|(key, value)| (key.as_str(), SubmittedRef::of(value)))
}

fn string_entries<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Iterator<Item = Entry<'a>> + Clone {
    pairs
        .iter()
        .map(|&(key, value)| (key, SubmittedRef::Str(value)))
}

fn finish(mut out: Submission, issues: Vec<Issue>) -> Result<Submission, ValidationError> {
    out.warnings = ValidationError::from_issues(issues)?;
    Ok(out)
}

/// A submission's top-level pairs: each group's values (a missing group counts as `{}`), then a
/// `field_unknown` warning for every other key. `keep` gets what the [`Submission`] holds.
fn check_top<'a, G>(
    fields: &[FormField],
    top: impl Iterator<Item = (&'a str, Result<G, JsonType>)> + Clone,
    matcher: &dyn PatternMatcher,
    keep: &mut dyn FnMut(FieldGroup, usize, &'a str, &'a str),
    issues: &mut Vec<Issue>,
) where
    G: Iterator<Item = Entry<'a>> + Clone,
{
    for group in FieldGroup::ALL {
        let entries = match top.clone().find(|(key, _)| *key == group.as_str()) {
            None => None,
            Some((_, Ok(entries))) => Some(entries),
            Some((_, Err(received))) => {
                issues.push(type_issue(vec![group.as_str().to_owned()], received));
                continue;
            }
        };
        check_group(
            fields,
            group,
            entries.into_iter().flatten(),
            matcher,
            &mut |i, key, value| keep(group, i, key, value),
            issues,
        );
    }
    for (key, _) in top.filter(|(key, _)| FieldGroup::parse(key).is_none()) {
        issues.push(Issue::warning(
            ErrorCode::FieldUnknown,
            vec![key.to_owned()],
        ));
    }
}

/// One group's object: each of its fields (in form order), then every undeclared key (in input
/// order). `keep` gets each string value the [`Submission`] holds, with its input index.
fn check_group<'a>(
    fields: &[FormField],
    group: FieldGroup,
    entries: impl Iterator<Item = Entry<'a>> + Clone,
    matcher: &dyn PatternMatcher,
    keep: &mut dyn FnMut(usize, &'a str, &'a str),
    issues: &mut Vec<Issue>,
) {
    let fields = || fields.iter().filter(move |f| f.group == group);
    for field in fields() {
        let found = entries
            .clone()
            .enumerate()
            .find(|(_, (key, _))| *key == field.name);
        issues.extend(check_ref_at(
            &field.rule,
            found.map(|(_, (_, value))| value),
            &|| field.path(),
            matcher,
        ));
        if let Some((i, (key, SubmittedRef::Str(value)))) = found {
            keep(i, key, value);
        }
    }
    let group_path = [group.as_str().to_owned()];
    let undeclared = entries
        .enumerate()
        .filter(|(_, (key, _))| !fields().any(|f| f.name == *key));
    for (i, (key, value)) in undeclared {
        let path = path_with(&group_path, key);
        issues.push(Issue::warning(ErrorCode::FieldUnknown, path.clone()));
        match value {
            SubmittedRef::Str(value) => keep(i, key, value),
            SubmittedRef::Other(received) => issues.push(
                Issue::new(ErrorCode::FieldNotString, path).with_detail(Detail::Received(received)),
            ),
        }
    }
}

fn type_issue(path: Vec<String>, received: JsonType) -> Issue {
    Issue::new(ErrorCode::ValueTypeInvalid, path).with_detail(Detail::Expected {
        expected: JsonType::Object,
        received,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::form::FieldRule;
    use crate::pattern::PatternUnusable;

    /// A pattern is a prefix the value must start with; `(` cannot be compiled.
    struct Prefix;

    impl PatternMatcher for Prefix {
        fn test(&self, pattern: &str, input: &str) -> Result<bool, PatternUnusable> {
            if pattern == "(" {
                return Err(PatternUnusable::new("unterminated group"));
            }
            Ok(input.starts_with(pattern))
        }
    }

    fn fields() -> Vec<FormField> {
        let text = |optional, pattern: &str| FieldRule::Text {
            optional,
            non_empty: !optional,
            format: None,
            pattern: Some(pattern.to_owned()),
        };
        vec![
            FormField::for_checking(FieldGroup::Credentials, "key".into(), text(false, "k")),
            FormField::for_checking(FieldGroup::Params, "sub".into(), text(true, "(")),
            FormField::for_checking(
                FieldGroup::Params,
                "region".into(),
                FieldRule::OneOf {
                    values: vec!["eu".into(), "us".into()],
                    optional: false,
                },
            ),
        ]
    }

    /// What `check_submitted` keeps, as a `Submission::to_json()` would show it.
    fn kept_json(kept: &[(FieldGroup, &str, &str)]) -> Value {
        let mut out = Map::new();
        for group in FieldGroup::ALL {
            let pairs: Map<String, Value> = kept
                .iter()
                .filter(|(g, _, _)| *g == group)
                .map(|(_, k, v)| ((*k).to_owned(), Value::from(*v)))
                .collect();
            if !pairs.is_empty() {
                out.insert(group.as_str().to_owned(), Value::Object(pairs));
            }
        }
        Value::Object(out)
    }

    fn as_json(top: &[(&str, Submitted<'_>)]) -> Value {
        let object = |pairs: &[(&str, &str)]| {
            Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
                    .collect(),
            )
        };
        Value::Object(
            top.iter()
                .map(|(key, value)| {
                    let value = match value {
                        Submitted::Object(pairs) => object(pairs),
                        Submitted::Str(s) => Value::from(*s),
                    };
                    ((*key).to_owned(), value)
                })
                .collect(),
        )
    }

    /// `check_submitted` against `validate_submission_fields` / `validate_group_fields` on the
    /// same values: the same issues, and the same values kept in the same order.
    fn agree(values: SubmittedValues<'_>) {
        let fields = fields();
        let (json_values, by_json) = match values {
            SubmittedValues::Submission(top) => {
                let v = as_json(top);
                let r = validate_submission_fields(&fields, &v, &Prefix);
                (v, r)
            }
            SubmittedValues::Group(group, pairs) => {
                let v = as_json(&[("g", Submitted::Object(pairs))])["g"].clone();
                let r = validate_group_fields(&fields, group, &v, &Prefix);
                (v, r)
            }
        };
        let mut kept = Vec::new();
        let borrowed = check_submitted(&fields, values, &Prefix, &mut |group, i| {
            let pairs = match values {
                SubmittedValues::Submission(top) => top
                    .iter()
                    .find_map(|(k, v)| match v {
                        Submitted::Object(pairs) if *k == group.as_str() => Some(*pairs),
                        _ => None,
                    })
                    .unwrap_or_default(),
                SubmittedValues::Group(_, pairs) => pairs,
            };
            kept.push((group, pairs[i].0, pairs[i].1));
        });
        match (by_json, borrowed) {
            (Ok(submission), Ok(warnings)) => {
                assert_eq!(submission.warnings(), &warnings[..], "{json_values}");
                assert_eq!(submission.to_json(), kept_json(&kept), "{json_values}");
            }
            (Err(a), Err(b)) => assert_eq!(a.issues(), b.issues(), "{json_values}"),
            (a, b) => panic!("{json_values}: {a:?} against {b:?}"),
        }
    }

    #[test]
    fn borrowed_strings_give_what_json_gives() {
        let keys = ["sub", "region", "key", "extra", "__proto__"];
        let values = ["", "k1", "eu", "x"];
        let mut groups: Vec<Vec<(&str, &str)>> = vec![Vec::new()];
        for (i, key) in keys.iter().enumerate() {
            for (j, value) in values.iter().enumerate() {
                groups.push(vec![(key, value)]);
                let other = keys[(i + j + 1) % keys.len()];
                groups.push(vec![(other, values[(i + 1) % values.len()]), (key, value)]);
            }
        }
        // Keys are unique in a submission as in any object, so `credentials` is not among these.
        let tops = ["params", "assertion_option", "other"];
        for (n, pairs) in groups.iter().enumerate() {
            for group in FieldGroup::ALL {
                agree(SubmittedValues::Group(group, pairs));
            }
            let next = &groups[(n * 7 + 3) % groups.len()];
            let top = tops[n % tops.len()];
            agree(SubmittedValues::Submission(&[
                (top, Submitted::Object(pairs)),
                ("credentials", Submitted::Object(next)),
            ]));
            agree(SubmittedValues::Submission(&[
                ("credentials", Submitted::Object(next)),
                (top, Submitted::Str(values[n % values.len()])),
            ]));
        }
        agree(SubmittedValues::Submission(&[]));
        assert!(validate_submission_fields(&fields(), &json!("x"), &Prefix).is_err());
    }
}

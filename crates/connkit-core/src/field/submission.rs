//! A submission (Connect UI's `{credentials, params, assertion_option}`) or one group's values
//! checked against a form's fields, over either reading of the values: serde_json objects
//! ([`validate_submission_fields`], [`validate_group_fields`]) or a host's borrowed strings
//! ([`check_submitted`]: a form page's keystroke, which then builds no `Value` and no
//! [`Submission`]). The JSON functions read their values as borrowed pairs
//! ([`with_json_values`]) and call [`check_submitted`]: one walk, one verdict.
//!
//! Knows nothing about how the values were read or how the form was built.

use serde_json::{Map, Value};

use super::check_ref_at;
use crate::form::{FieldGroup, Form, FormField};
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

/// A value where a group's object belongs: the object's `(key, value)` pairs in input order, or
/// the JSON type of anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmittedObject<'a> {
    /// An object.
    Object(&'a [(&'a str, SubmittedRef<'a>)]),
    /// Not an object: its JSON type.
    Other(JsonType),
}

/// What [`check_submitted`] checks, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmittedValues<'a> {
    /// `{credentials, params, assertion_option}`: its top-level pairs in input order, or the
    /// JSON type of a submission that is not an object.
    Submission(Result<&'a [(&'a str, SubmittedObject<'a>)], JsonType>),
    /// One group's values (as [`validate_group_fields`] takes them).
    Group(FieldGroup, SubmittedObject<'a>),
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
    with_json_values(values, None, |values| {
        to_submission(fields, values, matcher)
    })
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
    with_json_values(values, Some(group), |values| {
        to_submission(fields, values, matcher)
    })
}

/// `values` (a submission, or with `group` that group's values) as [`check_submitted`] reads
/// them, given to `f`.
pub fn with_json_values<R>(
    values: &Value,
    group: Option<FieldGroup>,
    f: impl FnOnce(SubmittedValues<'_>) -> R,
) -> R {
    fn pairs(value: &Value) -> Vec<(&str, SubmittedRef<'_>)> {
        match value {
            Value::Object(map) => map
                .iter()
                .map(|(key, value)| (key.as_str(), SubmittedRef::of(value)))
                .collect(),
            _ => Vec::new(),
        }
    }
    let object = |value: &Value, pairs| match value {
        Value::Object(_) => SubmittedObject::Object(pairs),
        other => SubmittedObject::Other(JsonType::of(other)),
    };
    if let Some(group) = group {
        return f(SubmittedValues::Group(
            group,
            object(values, &pairs(values)),
        ));
    }
    let Value::Object(map) = values else {
        return f(SubmittedValues::Submission(Err(JsonType::of(values))));
    };
    let held: Vec<Vec<_>> = map.values().map(pairs).collect();
    let top: Vec<_> = map
        .iter()
        .zip(&held)
        .map(|((key, value), pairs)| (key.as_str(), object(value, pairs)))
        .collect();
    f(SubmittedValues::Submission(Ok(&top)))
}

/// [`validate_submission_fields`] on values as [`check_submitted`] reads them: a host that holds
/// its values as strings (the widget's form) then builds no `Value` for them.
pub fn to_submission(
    fields: &[FormField],
    values: SubmittedValues<'_>,
    matcher: &dyn PatternMatcher,
) -> Result<Submission, ValidationError> {
    let mut out = Submission::default();
    let warnings = check_submitted(fields, values, matcher, &mut |group, _, key, value| {
        out.push(group, key, value)
    })?;
    out.warnings = warnings;
    Ok(out)
}

/// [`validate_submission_fields`] or [`validate_group_fields`] on borrowed values, without
/// building a [`Submission`]: each value the [`Submission`] would hold is reported to `keep`, in
/// its order, as `(group, index of the pair in the group's object, key, value)`. `Ok` holds the
/// warnings.
pub fn check_submitted<'a>(
    fields: &[FormField],
    values: SubmittedValues<'a>,
    matcher: &dyn PatternMatcher,
    keep: &mut dyn FnMut(FieldGroup, usize, &'a str, &'a str),
) -> Result<Vec<Issue>, ValidationError> {
    let mut issues = Vec::new();
    match values {
        SubmittedValues::Submission(Err(received)) => issues.push(type_issue(Vec::new(), received)),
        SubmittedValues::Submission(Ok(top)) => {
            for group in FieldGroup::ALL {
                let object = top
                    .iter()
                    .find(|(key, _)| *key == group.as_str())
                    .map_or(SubmittedObject::Object(&[]), |(_, object)| *object);
                check_group(fields, group, object, matcher, keep, &mut issues);
            }
            for (key, _) in top
                .iter()
                .filter(|(key, _)| FieldGroup::parse(key).is_none())
            {
                issues.push(Issue::warning(
                    ErrorCode::FieldUnknown,
                    vec![(*key).to_owned()],
                ));
            }
        }
        SubmittedValues::Group(group, object) => {
            check_group(fields, group, object, matcher, keep, &mut issues);
        }
    }
    ValidationError::from_issues(issues)
}

/// One group's object: each of its fields (in form order), then every undeclared key (in input
/// order).
fn check_group<'a>(
    fields: &[FormField],
    group: FieldGroup,
    object: SubmittedObject<'a>,
    matcher: &dyn PatternMatcher,
    keep: &mut dyn FnMut(FieldGroup, usize, &'a str, &'a str),
    issues: &mut Vec<Issue>,
) {
    let pairs = match object {
        SubmittedObject::Object(pairs) => pairs,
        SubmittedObject::Other(received) => {
            issues.push(type_issue(vec![group.as_str().to_owned()], received));
            return;
        }
    };
    let fields = || fields.iter().filter(move |f| f.group == group);
    for field in fields() {
        let found = pairs.iter().position(|(key, _)| *key == field.name);
        let value = found.and_then(|i| pairs.get(i));
        issues.extend(check_ref_at(
            &field.rule,
            value.map(|(_, value)| *value),
            &|| field.path(),
            matcher,
        ));
        if let (Some(i), Some((key, SubmittedRef::Str(value)))) = (found, value) {
            keep(group, i, key, value);
        }
    }
    for (i, (key, value)) in pairs.iter().enumerate() {
        if fields().any(|f| f.name == *key) {
            continue;
        }
        let path = vec![group.as_str().to_owned(), (*key).to_owned()];
        issues.push(Issue::warning(ErrorCode::FieldUnknown, path.clone()));
        match value {
            SubmittedRef::Str(value) => keep(group, i, key, value),
            SubmittedRef::Other(received) => issues.push(
                Issue::new(ErrorCode::FieldNotString, path)
                    .with_detail(Detail::Received(*received)),
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

    type Pairs<'a> = Vec<(&'a str, SubmittedRef<'a>)>;

    fn strings<'a>(pairs: &[(&'a str, &'a str)]) -> Pairs<'a> {
        pairs
            .iter()
            .map(|&(k, v)| (k, SubmittedRef::Str(v)))
            .collect()
    }

    fn object_json(pairs: &[(&str, SubmittedRef<'_>)]) -> Value {
        let value = |v: &SubmittedRef<'_>| match v {
            SubmittedRef::Str(s) => Value::from(*s),
            SubmittedRef::Other(_) => Value::from(1),
        };
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), value(v)))
                .collect(),
        )
    }

    fn top_json(top: &[(&str, SubmittedObject<'_>)]) -> Value {
        Value::Object(
            top.iter()
                .map(|(key, value)| {
                    let value = match value {
                        SubmittedObject::Object(pairs) => object_json(pairs),
                        SubmittedObject::Other(_) => Value::from("x"),
                    };
                    ((*key).to_owned(), value)
                })
                .collect(),
        )
    }

    /// `check_submitted` on borrowed values against `validate_submission_fields` /
    /// `validate_group_fields` on the same values as JSON: the same issues, and the values kept
    /// (given by their index in their group's pairs) in the [`Submission`]'s order.
    fn agree(values: SubmittedValues<'_>) {
        let fields = fields();
        let (json_values, by_json) = match values {
            SubmittedValues::Submission(Ok(top)) => {
                let v = top_json(top);
                let r = validate_submission_fields(&fields, &v, &Prefix);
                (v, r)
            }
            SubmittedValues::Group(group, SubmittedObject::Object(pairs)) => {
                let v = object_json(pairs);
                let r = validate_group_fields(&fields, group, &v, &Prefix);
                (v, r)
            }
            _ => unreachable!(),
        };
        let mut kept = Map::new();
        let borrowed = check_submitted(&fields, values, &Prefix, &mut |group, i, key, value| {
            let pairs = match values {
                SubmittedValues::Submission(Ok(top)) => top
                    .iter()
                    .find_map(|(k, v)| match v {
                        SubmittedObject::Object(pairs) if *k == group.as_str() => Some(*pairs),
                        _ => None,
                    })
                    .unwrap_or_default(),
                SubmittedValues::Group(_, SubmittedObject::Object(pairs)) => pairs,
                _ => &[],
            };
            assert_eq!(pairs[i], (key, SubmittedRef::Str(value)));
            let group = kept
                .entry(group.as_str())
                .or_insert_with(|| Value::Object(Map::new()));
            group[key] = Value::from(value);
        });
        match (by_json, borrowed) {
            (Ok(submission), Ok(warnings)) => {
                assert_eq!(submission.warnings(), &warnings[..], "{json_values}");
                assert_eq!(submission.to_json(), Value::Object(kept), "{json_values}");
            }
            (Err(a), Err(b)) => assert_eq!(a.issues(), b.issues(), "{json_values}"),
            (a, b) => panic!("{json_values}: {a:?} against {b:?}"),
        }
    }

    #[test]
    fn borrowed_values_give_what_json_gives() {
        let keys = ["sub", "region", "key", "extra", "__proto__"];
        let values = ["", "k1", "eu", "x"];
        let mut groups: Vec<Pairs<'_>> = vec![Vec::new()];
        for (i, key) in keys.iter().enumerate() {
            for (j, value) in values.iter().enumerate() {
                groups.push(strings(&[(key, value)]));
                let other = keys[(i + j + 1) % keys.len()];
                let mut two = strings(&[(other, values[(i + 1) % values.len()])]);
                two.push((key, SubmittedRef::Other(JsonType::Number)));
                groups.push(two);
            }
        }
        // Keys are unique in a submission as in any object, so `credentials` is not among these.
        let tops = ["params", "assertion_option", "other"];
        for (n, pairs) in groups.iter().enumerate() {
            for group in FieldGroup::ALL {
                agree(SubmittedValues::Group(
                    group,
                    SubmittedObject::Object(pairs),
                ));
            }
            let next = &groups[(n * 7 + 3) % groups.len()];
            let top = tops[n % tops.len()];
            agree(SubmittedValues::Submission(Ok(&[
                (top, SubmittedObject::Object(pairs)),
                ("credentials", SubmittedObject::Object(next)),
            ])));
            agree(SubmittedValues::Submission(Ok(&[
                ("credentials", SubmittedObject::Object(next)),
                (top, SubmittedObject::Other(JsonType::String)),
            ])));
        }
        agree(SubmittedValues::Submission(Ok(&[])));
        let not_object = validate_submission_fields(&fields(), &json!("x"), &Prefix);
        let codes: Vec<_> = not_object
            .err()
            .iter()
            .flat_map(|e| e.issues())
            .map(|i| (i.code(), i.path().len()))
            .collect();
        assert_eq!(codes, [(ErrorCode::ValueTypeInvalid, 0)]);
    }
}

//! The deprecated `end_user` / `organization` objects of a connect-session body (spec §2.1,
//! §1.6) and the tags Nango generates from them (`buildTagsFromEndUser`, spec §1.5).
//!
//! Tag rules come from [`crate::tags`]; `end_user.tags` is the same rule set with empty values
//! allowed and keys kept as given. Knows nothing about the rest of the session body.

use serde_json::{Map, Value};

use crate::email::is_valid_email;
use crate::js::{js_key_order, js_len, js_to_lower_case_ascii_view, js_truncate};
use crate::limits::{
    EMAIL_MIN_LEN, NAME_MAX_LEN, TAG_KEY_MAX_LEN, TAG_MAX_COUNT, TAG_VALUE_MAX_LEN,
};
use crate::nango::{NangoIssue, path_with};
use crate::prelude::*;
use crate::tags::{
    TagValueRef, Tags, is_valid_key_pattern, nango_tag_entry_errors, validate_tag_entries,
};
use crate::{Detail, ErrorCode, Issue, JsonType};

use super::fields::{expect_object, optional_string, unknown_keys};

/// The `end_user` of a session (deprecated by Nango, still honoured).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndUser {
    id: String,
    email: Option<String>,
    display_name: Option<String>,
    tags: Option<Vec<(String, String)>>,
}

impl EndUser {
    /// `end_user.id` (1–255 UTF-16 units).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `end_user.email`, if given.
    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    /// `end_user.display_name`, if given (may be empty).
    pub fn display_name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }

    /// `end_user.tags` exactly as given (keys not lowercased, empty values kept), if given.
    pub fn tags(&self) -> Option<&[(String, String)]> {
        self.tags.as_deref()
    }
}

/// The `organization` of a session (deprecated by Nango, still honoured).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    id: String,
    display_name: Option<String>,
}

impl Organization {
    /// `organization.id` (0–255 UTF-16 units; empty allowed).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `organization.display_name`, if given.
    pub fn display_name(&self) -> Option<&str> {
        self.display_name.as_deref()
    }
}

const END_USER_KEYS: [&str; 4] = ["id", "email", "display_name", "tags"];
const ORGANIZATION_KEYS: [&str; 2] = ["id", "display_name"];

/// Validates `end_user` at `path` (`["end_user"]`), pushing every issue.
pub(super) fn validate_end_user(
    value: &Value,
    path: &[String],
    issues: &mut Vec<Issue>,
) -> Option<EndUser> {
    let map = expect_object(value, path, JsonType::Object, issues)?;
    let before = issues.len();
    unknown_keys(map, &END_USER_KEYS, path, issues);
    let id = required_id(map, path, true, issues);
    let email_path = path_with(path, "email");
    let email = optional_string(map.get("email"), &email_path, usize::MAX, issues);
    if let Some(email) = email {
        if !is_valid_email(email) {
            issues.push(Issue::new(ErrorCode::EmailInvalid, email_path.clone()));
        }
        if js_len(email) < EMAIL_MIN_LEN {
            issues.push(
                Issue::new(ErrorCode::StringTooShort, email_path)
                    .with_detail(Detail::Limit(EMAIL_MIN_LEN)),
            );
        }
    }
    let display_name = optional_string(
        map.get("display_name"),
        &path_with(path, "display_name"),
        NAME_MAX_LEN,
        issues,
    );
    let tags = match map.get("tags") {
        None => None,
        Some(v) => validate_end_user_tags(v, &path_with(path, "tags"), issues),
    };
    if issues.len() > before {
        return None;
    }
    Some(EndUser {
        id: id?.to_owned(),
        email: email.map(str::to_owned),
        display_name: display_name.map(str::to_owned),
        tags,
    })
}

/// The required `id` string (at most 255 units; `non_empty`: not `""` either) of `map` at `path`.
fn required_id<'a>(
    map: &'a Map<String, Value>,
    path: &[String],
    non_empty: bool,
    issues: &mut Vec<Issue>,
) -> Option<&'a str> {
    let id_path = path_with(path, "id");
    let Some(value) = map.get("id") else {
        issues.push(
            Issue::new(ErrorCode::ValueRequired, id_path).with_detail(Detail::Expected {
                expected: JsonType::String,
                received: JsonType::Undefined,
            }),
        );
        return None;
    };
    let id = optional_string(Some(value), &id_path, NAME_MAX_LEN, issues);
    if non_empty && id.is_some_and(str::is_empty) {
        issues.push(Issue::new(ErrorCode::StringEmpty, id_path));
    }
    id
}

/// Validates `organization` at `path`, pushing every issue.
pub(super) fn validate_organization(
    value: &Value,
    path: &[String],
    issues: &mut Vec<Issue>,
) -> Option<Organization> {
    let map = expect_object(value, path, JsonType::Object, issues)?;
    let before = issues.len();
    unknown_keys(map, &ORGANIZATION_KEYS, path, issues);
    let id = required_id(map, path, false, issues);
    let display_name = optional_string(
        map.get("display_name"),
        &path_with(path, "display_name"),
        NAME_MAX_LEN,
        issues,
    );
    if issues.len() > before {
        return None;
    }
    Some(Organization {
        id: id?.to_owned(),
        display_name: display_name.map(str::to_owned),
    })
}

/// `(key, value)` pairs of a JSON object in JavaScript's own-key order.
pub(super) fn js_entries(map: &Map<String, Value>) -> Vec<(&str, &Value)> {
    let pairs: Vec<(&str, &Value)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
    js_key_order(pairs.iter().map(|(k, _)| *k))
        .into_iter()
        .filter_map(|i| pairs.get(i).copied())
        .collect()
}

/// `end_user.tags` (spec §1.6): the tag rules without `min(1)` on values; keys kept as given.
fn validate_end_user_tags(
    value: &Value,
    path: &[String],
    issues: &mut Vec<Issue>,
) -> Option<Vec<(String, String)>> {
    let Value::Object(map) = value else {
        issues.push(
            Issue::new(ErrorCode::TagsNotObject, path.to_vec())
                .with_detail(Detail::Received(JsonType::of(value))),
        );
        return None;
    };
    let entries = js_entries(map);
    let as_tags: Vec<(&str, TagValueRef<'_>)> = entries
        .iter()
        .map(|(k, v)| (*k, TagValueRef::of(v)))
        .collect();
    let found: Vec<Issue> = match validate_tag_entries(as_tags.iter().copied()) {
        Ok(_) => Vec::new(),
        Err(err) => err
            .into_issues()
            .into_iter()
            .filter(|it| it.code() != ErrorCode::TagValueEmpty)
            .collect(),
    };
    if !found.is_empty() {
        issues.extend(found.into_iter().map(|it| it.prefixed(path)));
        return None;
    }
    Some(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.as_str().unwrap_or_default().to_owned()))
            .collect(),
    )
}

/// Nango's errors for `end_user.tags` at `prefix`: the tags projection with the value schema
/// `z.string().max(255)`: no `min(1)` (every `too_small` goes) and zod's default `too_big`
/// wording for the value's origin (string, array, or "unknown" for an object with a `length`).
/// Both concern continuable issues, so zod's abort rules are unaffected.
pub(super) fn nango_end_user_tag_errors(value: &Value, prefix: &[String]) -> Vec<NangoIssue> {
    let Value::Object(map) = value else {
        return crate::tags::nango_tag_errors(value, prefix);
    };
    let entries: Vec<(&str, TagValueRef<'_>)> = js_entries(map)
        .into_iter()
        .map(|(k, v)| (k, TagValueRef::of(v)))
        .collect();
    nango_tag_entry_errors(&entries, prefix)
        .into_iter()
        .filter(|it| it.code != "too_small")
        .map(|it| {
            if it.code != "too_big" {
                return it;
            }
            let origin = match it.path.last().and_then(|k| map.get(k.as_str())) {
                Some(Value::Array(_)) => "array",
                Some(Value::Object(_)) => "unknown",
                _ => "string",
            };
            NangoIssue::too_big(origin, TAG_VALUE_MAX_LEN, it.path)
        })
        .collect()
}

/// A view of end-user data as `buildTagsFromEndUser` reads it: strings only (`typeof … === 'string'`).
#[derive(Debug, Default)]
pub(super) struct TagSource<'a> {
    pub(super) end_user: Option<EndUserView<'a>>,
    pub(super) organization: Option<(Option<&'a str>, Option<&'a str>)>,
}

/// The strings `buildTagsFromEndUser` reads from an end user.
#[derive(Debug, Default)]
pub(super) struct EndUserView<'a> {
    pub(super) id: Option<&'a str>,
    pub(super) email: Option<&'a str>,
    pub(super) display_name: Option<&'a str>,
    /// `Object.entries(end_user.tags)`; `None` values are not strings.
    pub(super) tags: Vec<(&'a str, Option<&'a str>)>,
}

impl<'a> TagSource<'a> {
    /// The view of validated session data.
    pub(super) fn of(
        end_user: Option<&'a EndUser>,
        organization: Option<&'a Organization>,
    ) -> TagSource<'a> {
        TagSource {
            end_user: end_user.map(|eu| EndUserView {
                id: Some(eu.id.as_str()),
                email: eu.email.as_deref(),
                display_name: eu.display_name.as_deref(),
                tags: eu
                    .tags
                    .iter()
                    .flatten()
                    .map(|(k, v)| (k.as_str(), Some(v.as_str())))
                    .collect(),
            }),
            organization: organization.map(|o| (Some(o.id.as_str()), o.display_name.as_deref())),
        }
    }

    /// The view of arbitrary JSON (non-objects read as having no fields).
    pub(super) fn of_json(
        end_user: Option<&'a Value>,
        organization: Option<&'a Value>,
    ) -> TagSource<'a> {
        let truthy = |v: &&Value| match v {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            Value::String(s) => !s.is_empty(),
            Value::Array(_) | Value::Object(_) => true,
        };
        let field =
            |v: &'a Value, k: &str| v.as_object().and_then(|m| m.get(k)).and_then(Value::as_str);
        TagSource {
            end_user: end_user.filter(truthy).map(|eu| EndUserView {
                id: field(eu, "id"),
                email: field(eu, "email"),
                display_name: field(eu, "display_name"),
                tags: eu
                    .as_object()
                    .and_then(|m| m.get("tags"))
                    .and_then(Value::as_object)
                    .map(|t| {
                        js_entries(t)
                            .into_iter()
                            .map(|(k, v)| (k, v.as_str()))
                            .collect()
                    })
                    .unwrap_or_default(),
            }),
            organization: organization
                .filter(truthy)
                .map(|o| (field(o, "id"), field(o, "display_name"))),
        }
    }
}

/// `buildTagsFromEndUser` (spec §1.5), silent drops and fallbacks included.
pub(super) fn build_tags(source: &TagSource<'_>) -> Tags {
    let mut base: Vec<(String, String)> = Vec::new();
    let mut set = |key: &str, value: Option<&str>| {
        if let Some(v) = value
            .map(|v| js_truncate(v, TAG_VALUE_MAX_LEN))
            .filter(|v| !v.is_empty())
        {
            base.push((key.to_owned(), v.to_owned()));
        }
    };
    if let Some(eu) = &source.end_user {
        set("end_user_id", eu.id);
        set("end_user_email", eu.email);
        set("end_user_display_name", eu.display_name);
    }
    if let Some((id, display_name)) = source.organization {
        set("organization_id", id);
        set("organization_display_name", display_name);
    }
    let mut from_end_user: Vec<(String, String)> = Vec::new();
    for (raw_key, raw_value) in source.end_user.iter().flat_map(|eu| eu.tags.iter()) {
        let Some(value) = raw_value else { continue };
        // Nango lowercases before it validates, so a non-ASCII key can lowercase into a valid one
        // (the ASCII view is exact here: only a string of ASCII passes the pattern).
        let key = js_truncate(&js_to_lower_case_ascii_view(raw_key), TAG_KEY_MAX_LEN).to_owned();
        if !is_valid_key_pattern(&key) {
            continue;
        }
        let value = js_truncate(value, TAG_VALUE_MAX_LEN).to_owned();
        match from_end_user.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => from_end_user.push((key, value)),
        }
    }
    let mut generated = base.clone();
    if !from_end_user.is_empty() {
        for (k, v) in &from_end_user {
            match generated.iter_mut().find(|(gk, _)| gk == k) {
                Some(slot) => slot.1 = v.clone(),
                None => generated.push((k.clone(), v.clone())),
            }
        }
        if generated.len() > TAG_MAX_COUNT {
            generated = base.clone();
        }
    }
    let check = |tags: &[(String, String)]| {
        let entries: Vec<(&str, TagValueRef<'_>)> = tags
            .iter()
            .map(|(k, v)| (k.as_str(), TagValueRef::Str(v.as_str())))
            .collect();
        validate_tag_entries(entries.iter().copied()).ok()
    };
    if generated.is_empty() {
        return Tags::default();
    }
    if let Some(tags) = check(&generated) {
        return tags;
    }
    if !from_end_user.is_empty()
        && let Some(tags) = check(&base)
    {
        return tags;
    }
    Tags::default()
}

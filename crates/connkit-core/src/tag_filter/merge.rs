//! "Fetch, merge locally, then PATCH" (spec §1.7, §6.4): PATCH /connections/:id replaces the
//! whole tags object, so changing one tag means reading the current tags, applying the change
//! and sending the result. [`merge_tags`] does the middle step and re-validates the result.
//!
//! Changes are a JSON object: a string sets a key (any case, stored lowercase, replacing the
//! existing value in place), `null` removes it (removing an absent key is a no-op). Knows
//! nothing about HTTP; tag rules come from [`crate::tags`].

use crate::js::js_key_order;
use crate::limits::TAG_MAX_COUNT;
use crate::prelude::*;
use crate::tags::{TagValueRef, Tags, lowercase, not_object, validate_tag_entries};
use crate::{Detail, ErrorCode, Issue, JsonType, ValidationError};

/// One requested change to a tag.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TagChange<'a> {
    /// Set the key to this value (validated like any tag value).
    Set(TagValueRef<'a>),
    /// Remove the key.
    Remove,
}

/// Applies `changes` (a JSON object: string = set, `null` = remove) to `existing` and validates
/// the result. Issue paths are relative to the changes object (`[rawKey]`), except the count
/// limit, reported at `[]` when the merged tags would have more than 10 keys.
///
/// ```
/// use connkit_core::tag_filter::merge_tags;
/// use connkit_core::tags::validate_tags;
///
/// let existing = validate_tags(&serde_json::json!({"env": "prod", "team": "a"}))?;
/// let merged = merge_tags(&existing, &serde_json::json!({"Team": "b", "env": null, "new": "x"}))?;
/// assert_eq!(merged.to_json(), serde_json::json!({"team": "b", "new": "x"}));
/// # Ok::<(), connkit_core::ValidationError>(())
/// ```
pub fn merge_tags(existing: &Tags, changes: &serde_json::Value) -> Result<Tags, ValidationError> {
    let serde_json::Value::Object(map) = changes else {
        return Err(not_object(JsonType::of(changes)));
    };
    let keys: Vec<&String> = map.keys().collect();
    let order = js_key_order(keys.iter().map(|k| k.as_str()));
    let entries: Vec<(&str, TagChange<'_>)> = order
        .into_iter()
        .filter_map(|i| keys.get(i).copied())
        .filter_map(|k| map.get(k).map(|v| (k.as_str(), v)))
        .map(|(k, v)| {
            let change = match v {
                serde_json::Value::Null => TagChange::Remove,
                other => TagChange::Set(TagValueRef::of(other)),
            };
            (k, change)
        })
        .collect();
    merge_tag_changes(existing, entries)
}

/// [`merge_tags`] over `(key, change)` pairs given in JavaScript's own-key order.
pub fn merge_tag_changes<'a>(
    existing: &Tags,
    changes: impl IntoIterator<Item = (&'a str, TagChange<'a>)>,
) -> Result<Tags, ValidationError> {
    let changes: Vec<(&str, TagChange<'_>)> = changes.into_iter().collect();
    // Validate the changes as tags (keys, values, duplicates, email); a removal is a key only.
    let as_tags = changes.iter().map(|(k, change)| {
        let value = match change {
            TagChange::Set(v) => *v,
            TagChange::Remove => TagValueRef::NotString(JsonType::Null, None),
        };
        (*k, value)
    });
    let mut issues: Vec<Issue> = match validate_tag_entries(as_tags) {
        Ok(_) => Vec::new(),
        Err(err) => err.into_issues(),
    };
    // The count applies to the merged result, and a removal's null is not a bad value.
    issues.retain(|it| {
        let removal = it.code() == ErrorCode::TagValueNotString
            && *it.detail() == Detail::Received(JsonType::Null)
            && it.path().first().is_some_and(|p| {
                changes
                    .iter()
                    .any(|(k, c)| *k == p.as_str() && *c == TagChange::Remove)
            });
        !(removal || it.code() == ErrorCode::TagsTooMany)
    });
    let mut merged: Vec<(String, String)> = existing
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    for (key, change) in &changes {
        let key = lowercase(key);
        match change {
            TagChange::Remove => merged.retain(|(k, _)| *k != key),
            TagChange::Set(value) => {
                let text = match value {
                    TagValueRef::Str(s) => (*s).to_owned(),
                    TagValueRef::NotString(..) => String::new(),
                };
                match merged.iter_mut().find(|(k, _)| *k == key) {
                    Some(slot) => slot.1 = text,
                    None => merged.push((key, text)),
                }
            }
        }
    }
    if merged.len() > TAG_MAX_COUNT {
        issues.push(
            Issue::new(ErrorCode::TagsTooMany, Vec::new())
                .with_detail(Detail::Limit(TAG_MAX_COUNT)),
        );
    }
    ValidationError::from_issues(issues)?;
    // Re-validate the merged object as a whole: every key and value already passed.
    validate_tag_entries(
        merged
            .iter()
            .map(|(k, v)| (k.as_str(), TagValueRef::Str(v.as_str()))),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::validate_tags;
    use serde_json::json;

    fn codes(
        existing: serde_json::Value,
        changes: serde_json::Value,
    ) -> Vec<(ErrorCode, Vec<String>)> {
        let existing = validate_tags(&existing).unwrap_or_default();
        match merge_tags(&existing, &changes) {
            Ok(_) => Vec::new(),
            Err(err) => err
                .issues()
                .iter()
                .map(|it| (it.code(), it.path().to_vec()))
                .collect(),
        }
    }

    #[test]
    fn sets_replaces_and_removes_in_place() {
        let existing = validate_tags(&json!({"a": "1", "b": "2", "c": "3"})).unwrap_or_default();
        let merged = merge_tags(&existing, &json!({"B": "x", "a": null, "d": "4"}));
        assert_eq!(
            merged.map(|t| t.to_json().to_string()),
            Ok(json!({"b": "x", "c": "3", "d": "4"}).to_string())
        );
    }

    #[test]
    fn count_applies_to_the_result() {
        let ten: serde_json::Map<String, serde_json::Value> =
            (0..10).map(|i| (format!("k{i}"), json!("v"))).collect();
        let ten = serde_json::Value::Object(ten);
        assert_eq!(
            codes(ten.clone(), json!({"x": "v"})),
            [(ErrorCode::TagsTooMany, Vec::new())]
        );
        assert!(codes(ten, json!({"k0": null, "x": "v"})).is_empty());
    }

    #[test]
    fn changes_are_validated_like_tags() {
        assert_eq!(
            codes(json!({}), json!({"1a": null})),
            [(ErrorCode::TagKeyInvalid, vec!["1a".to_owned()])]
        );
        assert_eq!(
            codes(json!({}), json!({"a": ""})),
            [(ErrorCode::TagValueEmpty, vec!["a".to_owned()])]
        );
        assert_eq!(
            codes(json!({}), json!({"a": 1})),
            [(ErrorCode::TagValueNotString, vec!["a".to_owned()])]
        );
        assert_eq!(
            codes(json!({}), json!([])),
            [(ErrorCode::TagsNotObject, Vec::new())]
        );
        assert!(codes(json!({"a": "1"}), json!({"gone": null})).is_empty());
    }
}

//! Exports for tags and tag filters: `validateTags` (the full reader behind the package's fast
//! path, `tags_buffer.rs`), `tagFilterToQuery`, `matchesTagFilter`, `mergeTags`, and `isEmail`
//! and `errorCodes`.
//!
//! Glue only: every verdict is connkit-core's. Knows nothing about forms, sessions or metadata.

use connkit_core::tag_filter::{TagChange, TagFilter, merge_tag_changes};
use connkit_core::tags::{
    TagValueRef, Tags, check_tag_entries, normalise_valid_key, not_object, validate_tag_entries,
};
use connkit_core::{ErrorCode, Issue, JsonType, ValidationError};
use wasm_bindgen::prelude::*;

use crate::js;
use crate::read::{Entry, tag_entries, type_issue};
use crate::write::{failure, issues, result, strings};

/// Validates and normalises a tags object: `{ ok: true, value }` with lowercase keys, or every issue.
/// Paths hold the caller's own key strings (a key with a lone surrogate stays as it was).
#[wasm_bindgen(js_name = validateTags)]
pub fn validate_tags(input: JsValue) -> JsValue {
    let entries = match tag_entries(&input) {
        Ok(entries) => entries,
        Err(received) => return failure(&not_object(received)),
    };
    let refs: Vec<(&str, TagValueRef<'_>)> = entries
        .iter()
        .map(|e| (e.key.as_str(), value_ref(e)))
        .collect();
    let mut found = Vec::new();
    let valid = check_tag_entries(&refs, |at, code, detail| {
        found.push((at, Issue::new(code, Vec::new()).with_detail(detail)));
    });
    if !valid {
        let list = js_sys::Array::new_with_length(found.len() as u32);
        for (i, (at, it)) in found.iter().enumerate() {
            let path = js_sys::Array::new();
            if let Some(entry) = at.and_then(|at| entries.get(at)) {
                path.push(&entry.key_js);
            }
            let issue = js::issue(
                it.code().as_str(),
                path.into(),
                &it.message(),
                it.severity().as_str(),
            );
            list.set(i as u32, issue);
        }
        return js::fail(list.into());
    }
    // Valid: every key is ASCII; the caller's strings are reused where nothing changes.
    let out = js_sys::Object::new().into();
    for entry in &entries {
        let key = if entry.key.bytes().any(|b| b.is_ascii_uppercase()) {
            let mut key = entry.key.clone();
            normalise_valid_key(&mut key);
            JsValue::from_str(&key)
        } else {
            entry.key_js.clone()
        };
        js::put(&out, &key, &entry.value_js);
    }
    js::ok(out)
}

/// The query string (`tags%5Bkey%5D=value&…`) for a filter given as a tags object.
#[wasm_bindgen(js_name = tagFilterToQuery)]
pub fn tag_filter_to_query(filter: JsValue) -> JsValue {
    result(read_tags(&filter, &[]), |tags| {
        JsValue::from_str(&TagFilter::from_tags(tags).to_query_string())
    })
}

/// Whether a connection's `tags` (an object, or `[key, value]` pairs as stored) match `filter`.
#[wasm_bindgen(js_name = matchesTagFilter)]
pub fn matches_tag_filter(filter: JsValue, tags: JsValue) -> JsValue {
    let filter = read_tags(&filter, &["filter".to_owned()]);
    let pairs = match js::is_array(&tags) {
        Ok(true) => Some(read_pairs(&tags)),
        _ => None,
    };
    let tags = match pairs {
        Some(_) => Ok(Tags::default()),
        None => read_tags(&tags, &["tags".to_owned()]),
    };
    match (filter, tags, pairs) {
        (Ok(filter), Ok(_), Some(Ok(pairs))) => {
            let filter = TagFilter::from_tags(filter);
            js::ok(JsValue::from_bool(filter.matches_pairs(
                pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            )))
        }
        (Ok(filter), Ok(tags), None) => js::ok(JsValue::from_bool(
            TagFilter::from_tags(filter).matches(&tags),
        )),
        (filter, tags, pairs) => {
            let mut all: Vec<Issue> = Vec::new();
            for err in [filter.err(), tags.err()].into_iter().flatten() {
                all.extend(err.into_issues());
            }
            if let Some(Err(issue)) = pairs {
                all.push(issue);
            }
            js::fail(issues(&all))
        }
    }
}

/// Applies `changes` (a string sets a key, `null` removes it) to `existing` tags.
#[wasm_bindgen(js_name = mergeTags)]
pub fn merge_tags(existing: JsValue, changes: JsValue) -> JsValue {
    let existing = match read_tags(&existing, &["existing".to_owned()]) {
        Ok(tags) => tags,
        Err(err) => return failure(&err),
    };
    let entries = match tag_entries(&changes) {
        Ok(entries) => entries,
        Err(received) => return failure(&not_object(received)),
    };
    let changes = entries.iter().map(|e| {
        let change = match &e.value {
            Err(JsonType::Null) => TagChange::Remove,
            _ => TagChange::Set(value_ref(e)),
        };
        (e.key.as_str(), change)
    });
    result(merge_tag_changes(&existing, changes), |tags| {
        strings(tags.iter())
    })
}

fn value_ref(entry: &Entry) -> TagValueRef<'_> {
    match &entry.value {
        Ok(text) => TagValueRef::Str(text),
        Err(received) => TagValueRef::NotString(*received, None),
    }
}

fn validate(entries: &[Entry]) -> Result<Tags, ValidationError> {
    validate_tag_entries(entries.iter().map(|e| (e.key.as_str(), value_ref(e))))
}

/// Reads and validates a tags object; issues are prefixed with `prefix`.
fn read_tags(value: &JsValue, prefix: &[String]) -> Result<Tags, ValidationError> {
    let entries = tag_entries(value).map_err(not_object);
    entries.and_then(|e| validate(&e)).map_err(|err| {
        let prefixed = err.into_issues().into_iter().map(|it| it.prefixed(prefix));
        match ValidationError::from_issues(prefixed.collect()) {
            Err(err) => err,
            Ok(_) => not_object(JsonType::Other),
        }
    })
}

/// `[[key, value], …]` with string keys and values; `value_type_invalid` at `["tags", i]` otherwise.
fn read_pairs(value: &JsValue) -> Result<Vec<(String, String)>, Issue> {
    let unreadable = |at: &str, item: &JsValue| {
        type_issue(at, JsonType::Array, item).prefixed(&["tags".to_owned()])
    };
    let length = js::get(value, &JsValue::from_str("length"))
        .and_then(|n| n.as_f64())
        .filter(|n| *n <= f64::from(u32::MAX))
        .ok_or_else(|| unreadable("length", &JsValue::UNDEFINED))?;
    let mut out = Vec::new();
    for i in 0..length as u32 {
        let pair = js::get(value, &JsValue::from(i)).unwrap_or(JsValue::UNDEFINED);
        let text = |at: u32| js::get(&pair, &JsValue::from(at)).and_then(|v| v.as_string());
        match (js::type_of(&pair), text(0), text(1)) {
            (JsonType::Array, Some(k), Some(v)) => out.push((k, v)),
            _ => return Err(unreadable(&i.to_string(), &pair)),
        }
    }
    Ok(out)
}

/// zod 4.0.5's `z.string().email()` verdict (what Nango checks `end_user.email` with).
#[wasm_bindgen(js_name = isEmail)]
pub fn is_email(value: JsValue) -> bool {
    value
        .as_string()
        .is_some_and(|s| connkit_core::email::is_valid_email(&s))
}

/// Every error code, in declaration order.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<JsValue> {
    ErrorCode::ALL
        .iter()
        .map(|c| JsValue::from_str(c.as_str()))
        .collect()
}

//! Exports of the `filter` module, for tag filters and tag edits: `tagFilterToQuery`,
//! `matchesTagFilter` and `mergeTags` (`parseTagFilterQuery` is in `connect.rs`: its qs
//! emulation would more than double this module).
//!
//! Glue only: every verdict is connkit-core's. Knows nothing about forms, sessions or metadata.

use connkit_core::tag_filter::{TagChange, TagFilter, merge_tag_changes};
use connkit_core::tags::{Tags, not_object, validate_tag_entries};
use connkit_core::{Issue, JsonType, ValidationError};
use wasm_bindgen::prelude::*;

use crate::js;
use crate::prelude::*;
use crate::read::{Entry, tag_entries, type_issue};
use crate::write::{failure, issues, result, strings};

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
            _ => TagChange::Set(e.value_ref()),
        };
        (e.key.as_str(), change)
    });
    result(merge_tag_changes(&existing, changes), |tags| {
        strings(tags.iter())
    })
}

fn validate(entries: &[Entry]) -> Result<Tags, ValidationError> {
    validate_tag_entries(entries.iter().map(|e| (e.key.as_str(), e.value_ref())))
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

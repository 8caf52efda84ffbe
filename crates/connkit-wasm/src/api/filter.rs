//! Exports of the `filter` module, for tag filters and tag edits: `tagFilterToQuery`,
//! `matchesTagFilter` and `mergeTags` (`parseTagFilterQuery` is the `query` module's: its qs
//! emulation would more than double this one).
//!
//! Glue only: every verdict is connkit-core's. Knows nothing about forms, sessions or metadata.
//! The module is the tag-filter page's whole download, so each export takes one path through
//! one reader (`read_tags`) and one way of reporting (a list of issues).

use connkit_core::tag_filter::{TagChange, TagFilter, merge_tag_changes};
use connkit_core::tags::{Tags, not_object, validate_tag_entries};
use connkit_core::{Issue, JsonType};
use wasm_bindgen::prelude::*;

use crate::js;
use crate::prelude::*;
use crate::read::{tag_entries, type_issue};
use crate::write::{failure, issues, result, strings};

/// The query string (`tags%5Bkey%5D=value&…`) for a filter given as a tags object.
#[wasm_bindgen(js_name = tagFilterToQuery)]
pub fn tag_filter_to_query(filter: JsValue) -> JsValue {
    match read_tags(&filter, None) {
        Ok(tags) => js::ok(JsValue::from_str(
            &TagFilter::from_tags(tags).to_query_string(),
        )),
        Err(list) => js::fail(issues(&list)),
    }
}

/// Whether a connection's `tags` (an object, or `[key, value]` pairs as stored) match `filter`.
#[wasm_bindgen(js_name = matchesTagFilter)]
pub fn matches_tag_filter(filter: JsValue, tags: JsValue) -> JsValue {
    let filter = read_tags(&filter, Some("filter"));
    // Validated tags are pairs with lowercase, distinct keys: one way of matching serves both.
    let pairs = match js::is_array(&tags) {
        Ok(true) => read_pairs(&tags),
        _ => read_tags(&tags, Some("tags")).map(Tags::into_entries),
    };
    match (filter, pairs) {
        (Ok(filter), Ok(pairs)) => js::ok(JsValue::from_bool(
            TagFilter::from_tags(filter)
                .matches_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        )),
        (filter, pairs) => {
            let mut all = filter.err().unwrap_or_default();
            all.extend(pairs.err().unwrap_or_default());
            js::fail(issues(&all))
        }
    }
}

/// Applies `changes` (a string sets a key, `null` removes it) to `existing` tags.
#[wasm_bindgen(js_name = mergeTags)]
pub fn merge_tags(existing: JsValue, changes: JsValue) -> JsValue {
    let existing = match read_tags(&existing, Some("existing")) {
        Ok(tags) => tags,
        Err(list) => return js::fail(issues(&list)),
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

/// Reads and validates a tags object; issue paths start with `prefix` when there is one.
fn read_tags(value: &JsValue, prefix: Option<&str>) -> Result<Tags, Vec<Issue>> {
    let checked = match tag_entries(value) {
        Ok(entries) => {
            validate_tag_entries(entries.iter().map(|e| (e.key.as_str(), e.value_ref())))
        }
        Err(received) => Err(not_object(received)),
    };
    checked.map_err(|err| {
        let list = err.into_issues();
        match prefix {
            Some(name) => {
                let prefix = [name.to_owned()];
                list.into_iter().map(|it| it.prefixed(&prefix)).collect()
            }
            None => list,
        }
    })
}

/// `[[key, value], …]` with string keys and values; `value_type_invalid` at `["tags", i]` otherwise.
fn read_pairs(value: &JsValue) -> Result<Vec<(String, String)>, Vec<Issue>> {
    let unreadable = |at: &str, item: &JsValue| {
        vec![type_issue(at, JsonType::Array, item).prefixed(&["tags".to_owned()])]
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

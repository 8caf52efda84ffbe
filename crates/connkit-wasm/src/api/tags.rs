//! Exports of the `tags` module: `validateTags` (the full reader behind the package's fast path,
//! `tags_buffer.rs`), `isEmail` and `errorCodes`.
//!
//! Glue only: every verdict is connkit-core's. Knows nothing about tag filters, forms, sessions
//! or metadata (they live in other modules, so an app that only checks tags loads little).

use connkit_core::tags::{TagValueRef, check_tag_entries, normalise_valid_key, not_object};
use connkit_core::{ErrorCode, Issue};
use wasm_bindgen::prelude::*;

use crate::js;
use crate::read::tag_entries;
use crate::write::failure;

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
        .map(|e| (e.key.as_str(), e.value_ref()))
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

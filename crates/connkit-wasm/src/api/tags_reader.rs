//! The package's second reader of tags objects, built only as the test-only `reference` module:
//! `validateTags` by walking the object from wasm (js-sys), each value read once. It is not a
//! package export: the package's `validateTags` is `npm/fast.js` over `tags_buffer.rs`, and
//! `tests/node/fast-path.test.mjs` holds the two to deeply equal answers.
//!
//! Glue only: every verdict is connkit-core's.

use connkit_core::Issue;
use connkit_core::tags::{TagValueRef, check_tag_entries, normalise_valid_key, not_object};
use wasm_bindgen::prelude::*;

use crate::js;
use crate::prelude::*;
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
        found.push((
            at,
            Issue::new(code, Vec::new()).with_detail(detail.into_detail()),
        ));
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

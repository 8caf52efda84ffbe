//! Runner for `"kind": "tags"` vectors: `input` is the tags value; `expect` is connkit's verdict
//! (relative paths); `nango` is the `errors` list Nango returns for the body `{"tags": input}`
//! (`[]` when Nango accepts it).

use connkit_core::tags::{Tags, is_valid_normal, nango_tag_errors, validate_tags};
use connkit_core::{ValidationError, js::js_key_order};
use serde_json::Value;

/// `is_valid_normal` (the allocation-free fast path) is true exactly when `validate_tags` accepts
/// an object of strings and returns it unchanged.
pub(crate) fn check_fast_path(
    input: &Value,
    verdict: &Result<Tags, ValidationError>,
) -> Result<(), String> {
    let Some(map) = input.as_object() else {
        return Ok(());
    };
    let keys: Vec<&String> = map.keys().collect();
    let mut entries: Vec<(&str, &str)> = Vec::new();
    for i in js_key_order(keys.iter().map(|k| k.as_str())) {
        let key = keys[i];
        match map[key.as_str()].as_str() {
            Some(value) => entries.push((key.as_str(), value)),
            None => return Ok(()),
        }
    }
    let unchanged = match verdict {
        Ok(tags) => tags.iter().eq(entries.iter().copied()),
        Err(_) => false,
    };
    if is_valid_normal(entries.iter().copied()) == unchanged {
        Ok(())
    } else {
        Err(format!(
            "is_valid_normal disagrees with validate_tags (unchanged = {unchanged}) on {input}"
        ))
    }
}

pub(crate) fn check(case: &Value) -> Result<(), String> {
    let input = &case["input"];
    let verdict = validate_tags(input);
    check_fast_path(input, &verdict)?;
    crate::compare_result(verdict, &case["expect"], |tags| tags.to_json())?;
    if let Some(nango) = case.get("nango") {
        crate::compare_nango(&nango_tag_errors(input, &["tags".to_owned()]), nango)?;
    }
    Ok(())
}

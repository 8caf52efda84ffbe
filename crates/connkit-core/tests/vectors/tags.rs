//! Runner for `"kind": "tags"` vectors: `input` is the tags value; `expect` is connkit's verdict
//! (relative paths); `nango` is the `errors` list Nango returns for the body `{"tags": input}`
//! (`[]` when Nango accepts it).

use connkit_core::tags::{nango_tag_errors, validate_tags};
use serde_json::Value;

pub(crate) fn check(case: &Value) -> Result<(), String> {
    let input = &case["input"];
    let verdict = validate_tags(input);
    crate::compare_result(verdict, &case["expect"], |tags| tags.to_json())?;
    if let Some(nango) = case.get("nango") {
        crate::compare_nango(&nango_tag_errors(input, &["tags".to_owned()]), nango)?;
    }
    Ok(())
}

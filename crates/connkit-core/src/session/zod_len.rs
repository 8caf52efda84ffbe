//! A zod 4.0.5 quirk the Nango projections must reproduce: string length checks (`min`, `max`)
//! carry a `when` guard (`value != null && value.length !== undefined`), so they run even after
//! `invalid_type` has rejected a non-string. Verified with zod 4.0.5:
//!
//! * `z.string().min(1)` on `[]` → `invalid_type` (array) and "Too small: expected array to have >=1 items";
//! * `z.string().max(2)` on `[1,2,3]` → `invalid_type` and "Too big: expected array to have <=2 items";
//! * on `{"length": 0}` → `invalid_type` (object) and "Too small: expected unknown to be >=1";
//! * format checks (`email`, `regex`) have no guard and are skipped; custom messages are kept.
//!
//! The comparison is JavaScript's `length >= min` on whatever `length` holds (`"x"` and `{}` are
//! NaN, so both `min` and `max` fail; `null` is 0). Knows nothing about which schema it serves.

use serde_json::Value;

use crate::js::to_number;
use crate::nango::{LenCheck, NangoIssue, length_quirk_issues};

use super::end_user::nango_end_user_tag_errors;

/// The extra issues zod adds after `invalid_type` for a non-string `value` at `path`.
pub(crate) fn length_quirks(
    value: &Value,
    checks: &[LenCheck],
    path: &[String],
) -> Vec<NangoIssue> {
    let (length, origin) = match value {
        Value::Array(items) => (items.len() as f64, "array"),
        Value::Object(map) => match map.get("length") {
            Some(len) => (to_number(len), "unknown"),
            None => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    length_quirk_issues(length, origin, checks, path)
}

/// The `end_user.tags` projection with the length quirk: after a value's `invalid_type`, that
/// schema's only length check (`max(255)`, zod's default message). Connection tags get theirs
/// from [`crate::tags::nango_tag_errors`] itself.
pub(crate) fn nango_end_user_tags_exact(value: &Value, prefix: &[String]) -> Vec<NangoIssue> {
    let base = nango_end_user_tag_errors(value, prefix);
    let Value::Object(map) = value else {
        return base;
    };
    let checks = [LenCheck::Max(255, None)];
    let mut out = Vec::with_capacity(base.len());
    for issue in base {
        let extra = match issue.path.split_last() {
            Some((key, parent)) if issue.code == "invalid_type" && parent == prefix => map
                .get(key.as_str())
                .map(|v| length_quirks(v, &checks, &issue.path))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        out.push(issue);
        out.extend(extra);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes(value: serde_json::Value, checks: &[LenCheck]) -> Vec<String> {
        length_quirks(&value, checks, &[])
            .into_iter()
            .map(|i| format!("{}: {}", i.code, i.message))
            .collect()
    }

    #[test]
    fn arrays_and_length_objects_are_measured() {
        let min_max = [LenCheck::Min(1), LenCheck::Max(2, None)];
        assert_eq!(
            codes(json!([]), &min_max),
            ["too_small: Too small: expected array to have >=1 items"]
        );
        assert_eq!(
            codes(json!([1, 2, 3]), &min_max),
            ["too_big: Too big: expected array to have <=2 items"]
        );
        assert_eq!(
            codes(json!({"length": 0}), &min_max),
            ["too_small: Too small: expected unknown to be >=1"]
        );
        assert_eq!(codes(json!({"length": "x"}), &min_max).len(), 2);
        assert!(codes(json!({"length": null}), &[LenCheck::Max(2, None)]).is_empty());
        assert!(codes(json!({"a": 1}), &min_max).is_empty());
        assert!(codes(json!(5), &min_max).is_empty());
        assert_eq!(
            codes(json!([1, 2, 3]), &[LenCheck::Max(2, Some("custom"))]),
            ["too_big: custom"]
        );
    }
}

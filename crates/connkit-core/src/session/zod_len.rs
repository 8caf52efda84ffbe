//! The `end_user.tags` projection with zod 4.0.5's length quirk (`nango::length_quirks`:
//! length checks still run after `invalid_type` rejected a value that has a `length`).
//!
//! Knows nothing about the rest of the session body.

use serde_json::Value;

use crate::nango::{LenCheck, NangoIssue, length_quirks};
use crate::prelude::*;

use super::end_user::nango_end_user_tag_errors;

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

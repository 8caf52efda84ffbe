//! Nango's own error text: the `{code, message, path}` items its API puts in
//! `{"error":{"code":"invalid_body","errors":[…]}}` (spec §8), with zod 4.0.5's codes and messages.
//!
//! connkit's [`Issue`](crate::Issue)s are richer (every problem, stable codes); a rule module that
//! the server exposes also offers a *Nango projection* that reproduces exactly the list Nango
//! returns, built from these constructors. This text is a wire contract: tests compare it verbatim.

use serde_json::{Map, Value};

use crate::JsonType;
use crate::js::{js_key_order, to_number};
use crate::prelude::*;

/// One item of Nango's `errors` array.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NangoIssue {
    /// The zod issue code (`invalid_type`, `invalid_key`, `too_small`, `too_big`, `custom`, …).
    pub code: &'static str,
    /// zod's (or Nango's custom) message, verbatim.
    pub message: String,
    /// Path from the root of the validated body; array indexes are strings.
    pub path: Vec<String>,
}

impl NangoIssue {
    /// An issue with the given code, message and path.
    pub fn new(code: &'static str, message: impl Into<String>, path: Vec<String>) -> NangoIssue {
        NangoIssue {
            code,
            message: message.into(),
            path,
        }
    }

    /// `invalid_type`: "Invalid input: expected {expected}, received {received}".
    pub fn invalid_type(expected: JsonType, received: JsonType, path: Vec<String>) -> NangoIssue {
        let message = format!(
            "Invalid input: expected {}, received {}",
            expected.as_str(),
            received_name(received)
        );
        NangoIssue::new("invalid_type", message, path)
    }

    /// The object a `z.object(…)` schema reads, or its one `invalid_type` issue at the root.
    pub(crate) fn expect_object(body: &Value) -> Result<&Map<String, Value>, Vec<NangoIssue>> {
        match body {
            Value::Object(map) => Ok(map),
            other => Err(vec![NangoIssue::invalid_type(
                JsonType::Object,
                JsonType::of(other),
                Vec::new(),
            )]),
        }
    }

    /// `too_small` for strings: "Too small: expected string to have >={min} characters".
    pub fn string_too_small(min: usize, path: Vec<String>) -> NangoIssue {
        NangoIssue::new(
            "too_small",
            format!("Too small: expected string to have >={min} characters"),
            path,
        )
    }

    /// `too_big` for strings: "Too big: expected string to have <={max} characters".
    pub fn string_too_big(max: usize, path: Vec<String>) -> NangoIssue {
        NangoIssue::new(
            "too_big",
            format!("Too big: expected string to have <={max} characters"),
            path,
        )
    }

    /// `unrecognized_keys` at the object's path: "Unrecognized key: \"a\"" or "Unrecognized keys: \"a\", \"b\"".
    pub fn unrecognized_keys(keys: &[&str], path: Vec<String>) -> NangoIssue {
        let quoted: Vec<String> = keys.iter().map(|k| format!("\"{k}\"")).collect();
        let noun = if keys.len() == 1 { "key" } else { "keys" };
        NangoIssue::new(
            "unrecognized_keys",
            format!("Unrecognized {noun}: {}", quoted.join(", ")),
            path,
        )
    }

    /// `invalid_format` for an email: "Invalid email address".
    pub fn invalid_email(path: Vec<String>) -> NangoIssue {
        NangoIssue::new("invalid_format", "Invalid email address", path)
    }

    /// `invalid_format` for a regex check: "Invalid string: must match pattern /{pattern}/".
    pub fn pattern_mismatch(pattern: &str, path: Vec<String>) -> NangoIssue {
        NangoIssue::new(
            "invalid_format",
            format!("Invalid string: must match pattern /{pattern}/"),
            path,
        )
    }

    /// `invalid_key` for a record key that fails the key schema: "Invalid key in record".
    pub fn invalid_key(path: Vec<String>) -> NangoIssue {
        NangoIssue::new("invalid_key", "Invalid key in record", path)
    }

    /// `custom` with Nango's own message.
    pub fn custom(message: impl Into<String>, path: Vec<String>) -> NangoIssue {
        NangoIssue::new("custom", message, path)
    }

    /// `invalid_type` for `z.coerce.number()` on text that is no number: "Invalid input:
    /// expected number, received NaN".
    pub fn not_a_number(path: Vec<String>) -> NangoIssue {
        NangoIssue::new(
            "invalid_type",
            "Invalid input: expected number, received NaN",
            path,
        )
    }

    /// `invalid_value` for a value outside a fixed set (`z.stringbool()`, `z.enum()`):
    /// "Invalid option: expected one of \"a\"|\"b\"".
    pub fn invalid_option(options: &[&str], path: Vec<String>) -> NangoIssue {
        let quoted: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
        NangoIssue::new(
            "invalid_value",
            format!("Invalid option: expected one of {}", quoted.join("|")),
            path,
        )
    }
}

/// zod's name for a received value's type.
fn received_name(received: JsonType) -> &'static str {
    match received {
        JsonType::Other => "unknown",
        other => other.as_str(),
    }
}

/// `prefix` followed by `key`, as an owned path.
pub(crate) fn path_with(prefix: &[String], key: &str) -> Vec<String> {
    let mut path = Vec::with_capacity(prefix.len() + 1);
    path.extend_from_slice(prefix);
    path.push(key.to_owned());
    path
}

impl NangoIssue {
    /// `invalid_union`: "Invalid input" (zod 4.0.5 reports no detail for a failed union).
    pub fn invalid_union(path: Vec<String>) -> NangoIssue {
        NangoIssue::new("invalid_union", "Invalid input", path)
    }

    /// `too_small` for a length check on a value of zod origin `origin`: "Too small: expected
    /// string to have >=1 characters", "… array to have >=1 items", else "… unknown to be >=1".
    pub fn too_small(origin: &str, min: usize, path: Vec<String>) -> NangoIssue {
        let message = match origin {
            "string" => format!("Too small: expected string to have >={min} characters"),
            "array" => format!("Too small: expected array to have >={min} items"),
            other => format!("Too small: expected {other} to be >={min}"),
        };
        NangoIssue::new("too_small", message, path)
    }

    /// `too_big` for a length check, worded like [`NangoIssue::too_small`] with `<=`.
    pub fn too_big(origin: &str, max: usize, path: Vec<String>) -> NangoIssue {
        let message = match origin {
            "string" => format!("Too big: expected string to have <={max} characters"),
            "array" => format!("Too big: expected array to have <={max} items"),
            other => format!("Too big: expected {other} to be <={max}"),
        };
        NangoIssue::new("too_big", message, path)
    }
}

/// The `unrecognized_keys` issue a strict zod object reports at `path` for the keys of `map` not
/// in `allowed`, named in JavaScript's own-key order (`Object.keys`); `None` when there are none.
pub(crate) fn unrecognized_keys_of(
    map: &Map<String, Value>,
    allowed: &[&str],
    path: &[String],
) -> Option<NangoIssue> {
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    let unknown: Vec<&str> = js_key_order(keys.iter().copied())
        .into_iter()
        .filter_map(|i| keys.get(i).copied())
        .filter(|k| !allowed.contains(k))
        .collect();
    (!unknown.is_empty()).then(|| NangoIssue::unrecognized_keys(&unknown, path.to_vec()))
}

/// The object a `z.record` accepts, or its `invalid_type` issue pushed to `out`. zod 4.0.5's
/// `isPlainObject` reads `input.constructor`: an own `constructor` key makes the object "not a
/// record" unless its value has a `prototype` object with an own `isPrototypeOf` (a `null` there
/// makes zod throw, a 500 at Nango; the 400 Nango gives for other values is reported).
pub(crate) fn record_object<'a>(
    v: &'a Value,
    path: &[String],
    out: &mut Vec<NangoIssue>,
) -> Option<&'a Map<String, Value>> {
    let plain = match v {
        Value::Object(map) => match map.get("constructor") {
            None => Some(map),
            Some(ctor) => ctor
                .get("prototype")
                .filter(|proto| {
                    proto
                        .as_object()
                        .is_some_and(|p| p.contains_key("isPrototypeOf"))
                })
                .map(|_| map),
        },
        _ => None,
    };
    if plain.is_none() {
        out.push(NangoIssue::invalid_type(
            JsonType::Record,
            JsonType::of(v),
            path.to_vec(),
        ));
    }
    plain
}

/// One length check of a zod string schema, in schema order.
#[derive(Debug, Clone, Copy)]
pub enum LenCheck {
    /// `.min(n)`.
    Min(usize),
    /// `.max(n)`, with its custom message if any.
    Max(usize, Option<&'static str>),
}

/// The issues zod 4.0.5 adds after `invalid_type` when a string schema gets a non-string that
/// has a `length`: its length checks carry a `when` guard (`value != null && value.length !==
/// undefined`), so they still run. `length` is that property as JavaScript's `>=` sees it (NaN
/// fails both comparisons); `origin` is `"array"` for arrays, `"unknown"` otherwise.
pub fn length_quirk_issues(
    length: f64,
    origin: &str,
    checks: &[LenCheck],
    path: &[String],
) -> Vec<NangoIssue> {
    let mut out = Vec::new();
    for check in checks {
        match *check {
            LenCheck::Min(min) if length.partial_cmp(&(min as f64)).is_none_or(|o| o.is_lt()) => {
                out.push(NangoIssue::too_small(origin, min, path.to_vec()));
            }
            LenCheck::Max(max, message)
                if length.partial_cmp(&(max as f64)).is_none_or(|o| o.is_gt()) =>
            {
                out.push(match message {
                    Some(text) => NangoIssue::new("too_big", text, path.to_vec()),
                    None => NangoIssue::too_big(origin, max, path.to_vec()),
                });
            }
            _ => {}
        }
    }
    out
}

/// The extra issues zod 4.0.5 adds after `invalid_type` for a non-string `value` at `path`:
/// string length checks (`min`, `max`) carry a `when` guard (`value != null && value.length !==
/// undefined`), so they still run. Verified with zod 4.0.5:
///
/// * `z.string().min(1)` on `[]` → `invalid_type` (array) and "Too small: expected array to have >=1 items";
/// * `z.string().max(2)` on `[1,2,3]` → `invalid_type` and "Too big: expected array to have <=2 items";
/// * on `{"length": 0}` → `invalid_type` (object) and "Too small: expected unknown to be >=1";
/// * format checks (`email`, `regex`) have no guard and are skipped; custom messages are kept.
///
/// The comparison is JavaScript's `length >= min` on whatever `length` holds (`"x"` and `{}` are
/// NaN, so both `min` and `max` fail; `null` is 0); see [`length_quirk_issues`].
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

//! Nango's own error text: the `{code, message, path}` items its API puts in
//! `{"error":{"code":"invalid_body","errors":[…]}}` (spec §8), with zod 4.0.5's codes and messages.
//!
//! connkit's [`Issue`](crate::Issue)s are richer (every problem, stable codes); a rule module that
//! the server exposes also offers a *Nango projection* that reproduces exactly the list Nango
//! returns, built from these constructors. This text is a wire contract: tests compare it verbatim.

use crate::JsonType;

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

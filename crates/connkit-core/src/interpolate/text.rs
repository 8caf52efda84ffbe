//! The text side of `${…}` templates: finding placeholders, replacing the ones a lookup
//! resolves, the `A || B` split, and looking a placeholder's expression up in a JSON object the
//! way Nango's interpolation helpers do.
//!
//! Knows nothing about URLs, issues or which template a text comes from.

use serde_json::{Map, Value};

use crate::js::{is_array_index, js_number_string};
use crate::prelude::*;

/// Which values count as absent during a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Absent {
    /// Nothing but a missing key (`missesInterpolationParam` on the raw config).
    OnlyMissing,
    /// `''` and `null`, at every level (`makeUrl` cleans the config recursively).
    EmptyOrNull,
    /// Falsy top-level values: `''`, `0`, `false`, `null` (the proxy's parsed connection_config).
    FalsyTopLevel,
}

/// The two sides of the first `||`, trimmed (text after a second `||` is ignored).
pub(super) fn split_alternatives(template: &str) -> Option<(&str, &str)> {
    let mut parts = template.split("||");
    let left = parts.next()?;
    let right = parts.next()?;
    Some((left.trim(), right.trim()))
}

/// Replaces every `${expr}` that `lookup` resolves, in one pass; the others stay as they are and
/// their bodies are returned (distinct, in order). An unclosed `${` stays as text.
pub(super) fn replace_placeholders(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> (String, Vec<String>) {
    let mut out = String::with_capacity(text.len());
    let mut missing: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some((before, expr, after)) = next_placeholder(rest) {
        out.push_str(before);
        match lookup(expr) {
            Some(value) => out.push_str(&value),
            None => {
                out.push_str("${");
                out.push_str(expr);
                out.push('}');
                if !missing.iter().any(|k| k == expr) {
                    missing.push(expr.to_owned());
                }
            }
        }
        rest = after;
    }
    out.push_str(rest);
    (out, missing)
}

/// Splits `text` at its first `${expr}` (like `/\$\{([^{}]*)\}/`): the text before it, `expr` and
/// the text after it.
pub(super) fn next_placeholder(text: &str) -> Option<(&str, &str, &str)> {
    let mut from = 0;
    loop {
        let start = from + text.get(from..)?.find("${")?;
        let body_start = start + 2;
        let body = text.get(body_start..)?;
        match body.find(['{', '}']) {
            Some(end) if body.get(end..)?.starts_with('}') => {
                return Some((text.get(..start)?, body.get(..end)?, body.get(end + 1..)?));
            }
            // `${` followed by `{` or never closed: look for the next `${`.
            _ => from = body_start,
        }
    }
}

/// Every placeholder body in `text`, in order.
pub(super) fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some((_, expr, after)) = next_placeholder(rest) {
        out.push(expr);
        rest = after;
    }
    out
}

/// Looks `expr` up as a dot path through nested objects and arrays, else as a flat key.
pub(super) fn find<'a>(
    map: &'a Map<String, Value>,
    expr: &str,
    absent: Absent,
) -> Option<&'a Value> {
    let top_ok = |value: &Value| match absent {
        Absent::OnlyMissing => true,
        Absent::EmptyOrNull => !is_empty_or_null(value),
        Absent::FalsyTopLevel => is_truthy(value),
    };
    let deep_ok = |value: &Value| absent != Absent::EmptyOrNull || !is_empty_or_null(value);
    let nested = || {
        let mut parts = expr.split('.');
        let mut current = map.get(parts.next()?).filter(|v| top_ok(v))?;
        for part in parts {
            current = match current {
                Value::Object(obj) => obj.get(part),
                Value::Array(items) if is_array_index(part) => {
                    part.parse::<usize>().ok().and_then(|idx| items.get(idx))
                }
                _ => None,
            }
            .filter(|v| deep_ok(v))?;
        }
        Some(current)
    };
    nested().or_else(|| map.get(expr).filter(|v| top_ok(v)))
}

/// `String(v)` for strings and numbers; other types do not interpolate.
pub(super) fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => n.as_f64().map(js_number_string),
        _ => None,
    }
}

pub(super) fn is_empty_or_null(value: &Value) -> bool {
    matches!(value, Value::Null) || matches!(value, Value::String(s) if s.is_empty())
}

pub(super) fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

pub(super) fn union(mut first: Vec<String>, second: Vec<String>) -> Vec<String> {
    for key in second {
        if !first.contains(&key) {
            first.push(key);
        }
    }
    first
}

//! The `${…}` templates of token requests, filled in as Nango's `interpolateString`,
//! `interpolateObject`, `stripCredential` and `stripStepResponse` fill them
//! (`packages/shared/lib/utils/utils.ts`; spec §5.4, §3.9).
//!
//! [`interpolate`] first replaces the function forms, each argument interpolated first:
//! `${base64(…)}` (standard base64 of the text's UTF-8), `${sha256Hex(…)}` and
//! `${sha256Base64(…)}`, and `${fingerprint(…)}` (Snowflake's: `SHA256:` and the base64
//! SHA-256 of the PKCS#8 private key's public SPKI DER); like Nango's regular expressions, an argument
//! runs to the first `)}` on its line. Then each `${expr}` (no `{` or `}` inside): `now` (the
//! time as `toISOString()` writes it), `now:<format>` and `now±N:<unit>:<format>` (dayjs in
//! UTC), `random` (the context's UUID), else the value of `expr` as a key of the values, else as
//! a dot path through them; a string, or a number written as JavaScript writes it, replaces the
//! placeholder, and anything else leaves it as written. A top-level value other than `null` is
//! written as JavaScript's `String(value)` writes it. Nango's `hmacSha1Hex`, `awsSigV4` and
//! `ed25519Sign` forms are left as written: no token request connkit sends uses them.
//!
//! Knows nothing about which request a template belongs to.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::Context;
use crate::js::{base64, dayjs_add, dayjs_format, js_number_string, to_iso_string, to_js_string};
use crate::prelude::*;

/// `interpolateString(text, values)`.
pub(crate) fn interpolate(text: &str, values: &Map<String, Value>, ctx: &Context<'_>) -> String {
    let inner = |arg: &str| interpolate(arg, values, ctx);
    let text = replace_calls(text, "base64", &|arg| base64(inner(arg).as_bytes()));
    // A key that does not read leaves the form as written (Nango throws; the signature that
    // needs the same key fails then).
    let text = replace_calls(&text, "fingerprint", &|arg| {
        let key = inner(arg);
        super::sign::fingerprint(&key).unwrap_or_else(|| format!("${{fingerprint({arg})}}"))
    });
    let text = replace_calls(&text, "sha256Hex", &|arg| {
        hex(&Sha256::digest(inner(arg).as_bytes()))
    });
    let text = replace_calls(&text, "sha256Base64", &|arg| {
        base64(&Sha256::digest(inner(arg).as_bytes()))
    });
    replace_placeholders(&text, values, ctx)
}

/// Replaces every `${name(arg)}` (the regular expression `/\$\{name\((.*?)\)\}/g`) by `f(arg)`.
fn replace_calls(text: &str, name: &str, f: &dyn Fn(&str) -> String) -> String {
    let open = format!("${{{name}(");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&open) {
        let after = rest.get(at + open.len()..).unwrap_or("");
        // The argument runs to the first `)}`, without crossing a line terminator.
        let close = after.find(")}");
        let line_end = after.find(['\n', '\r', '\u{2028}', '\u{2029}']);
        match close {
            Some(end) if line_end.is_none_or(|nl| nl > end) => {
                out.push_str(rest.get(..at).unwrap_or(""));
                out.push_str(&f(after.get(..end).unwrap_or("")));
                rest = after.get(end + 2..).unwrap_or("");
            }
            _ => {
                // No match from here: keep `${` and look further.
                out.push_str(rest.get(..at + 2).unwrap_or(""));
                rest = rest.get(at + 2..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

fn replace_placeholders(text: &str, values: &Map<String, Value>, ctx: &Context<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((before, expr, after)) = next_placeholder(rest) {
        out.push_str(before);
        match resolve(expr, values, ctx) {
            Some(value) => out.push_str(&value),
            None => {
                out.push_str("${");
                out.push_str(expr);
                out.push('}');
            }
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The text that replaces `${expr}`, if any.
fn resolve(expr: &str, values: &Map<String, Value>, ctx: &Context<'_>) -> Option<String> {
    if let Some(now) = now_expression(expr, ctx.now_ms) {
        return Some(now);
    }
    if expr == "random" {
        return Some(ctx.random.to_owned());
    }
    if expr.starts_with("base64(") {
        return None;
    }
    if let Some(value) = values.get(expr).filter(|v| !v.is_null()) {
        return Some(to_js_string(value));
    }
    match lookup(values, expr)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => n.as_f64().map(js_number_string),
        _ => None,
    }
}

/// Nango's `resolveKey`: the key itself, else a dot path (array indexes included).
pub(crate) fn lookup<'a>(values: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if let Some(value) = values.get(key) {
        return Some(value);
    }
    let mut parts = key.split('.');
    let mut current = values.get(parts.next()?)?;
    for part in parts {
        current = match current {
            Value::Object(map) => map.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// `${now}`, `${now:format}` and `${now±N:unit:format}`.
fn now_expression(expr: &str, now_ms: i64) -> Option<String> {
    if expr == "now" {
        return to_iso_string(now_ms);
    }
    let rest = expr.strip_prefix("now")?;
    if let Some(format) = rest.strip_prefix(':') {
        return (!format.is_empty()).then(|| dayjs_format(now_ms, format))?;
    }
    // `/^now([+-]\d+):([a-zA-Z]+):(.+)$/`.
    let sign = rest.chars().next().filter(|c| *c == '+' || *c == '-')?;
    let digits_len = rest
        .get(1..)?
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    let after = rest.get(1 + digits_len..)?.strip_prefix(':')?;
    let unit_len = after.bytes().take_while(u8::is_ascii_alphabetic).count();
    let format = after.get(unit_len..)?.strip_prefix(':')?;
    if digits_len == 0 || unit_len == 0 || format.is_empty() {
        return None;
    }
    let mut amount: f64 = rest.get(1..1 + digits_len)?.parse().ok()?;
    if sign == '-' {
        amount = -amount;
    }
    let shifted = dayjs_add(now_ms, amount, after.get(..unit_len)?)?;
    dayjs_format(shifted, format)
}

/// Splits `text` at its first `${expr}` (`/\$\{([^{}]*)\}/`).
fn next_placeholder(text: &str) -> Option<(&str, &str, &str)> {
    let mut from = 0;
    loop {
        let start = from + text.get(from..)?.find("${")?;
        let body = text.get(start + 2..)?;
        match body.find(['{', '}']) {
            Some(end) if body.get(end..)?.starts_with('}') => {
                return Some((text.get(..start)?, body.get(..end)?, body.get(end + 1..)?));
            }
            _ => from = start + 2,
        }
    }
}

/// `interpolateObject(object, values)`: strings interpolated, objects and arrays walked (an
/// array comes back as an object keyed by index, as `Object.entries` makes it), other values as
/// they are.
pub(crate) fn interpolate_object(
    value: &Value,
    values: &Map<String, Value>,
    ctx: &Context<'_>,
) -> Value {
    match value {
        Value::String(s) => Value::String(interpolate(s, values, ctx)),
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(k.clone(), interpolate_object(v, values, ctx));
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let mut out = Map::new();
            for (i, v) in items.iter().enumerate() {
                out.insert(i.to_string(), interpolate_object(v, values, ctx));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// A value of `token_params` or `token_headers` filled in: a string by [`interpolate`], an
/// object (or array) by [`interpolate_object`], anything else as it is.
pub(crate) fn fill(value: &Value, values: &Map<String, Value>, ctx: &Context<'_>) -> Value {
    match value {
        Value::String(s) => Value::String(interpolate(s, values, ctx)),
        Value::Object(_) | Value::Array(_) => interpolate_object(value, values, ctx),
        other => other.clone(),
    }
}

/// `stripCredential`: every `credentials.` removed from the strings (an array comes back as an
/// object keyed by index).
pub(crate) fn strip_credentials(value: &Value) -> Value {
    strip(value, &|s| s.replace("credentials.", ""))
}

fn strip(value: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(f(s)),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), strip(v, f))).collect())
        }
        Value::Array(items) => Value::Object(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), strip(v, f)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Removes every `step<digits>.` (`/step\d+\./g`).
pub(crate) fn strip_step_prefixes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("step") {
        let after = rest.get(at + 4..).unwrap_or("");
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(rest.get(..at).unwrap_or(""));
        if digits > 0 && after.get(digits..).is_some_and(|t| t.starts_with('.')) {
            rest = after.get(digits + 1..).unwrap_or("");
        } else {
            out.push_str("step");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// `extractStepNumber`: N of the first `${stepN.…}` (`/\$\{step(\d+)\..*?\}/`).
pub(crate) fn step_number(text: &str) -> Option<usize> {
    let mut rest = text;
    while let Some(at) = rest.find("${step") {
        let after = rest.get(at + 6..).unwrap_or("");
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let tail = after.get(digits..).unwrap_or("");
        if digits > 0 && tail.starts_with('.') && tail.contains('}') {
            return after.get(..digits)?.parse().ok();
        }
        rest = after;
    }
    None
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

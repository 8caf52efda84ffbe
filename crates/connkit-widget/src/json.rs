//! JSON text read and written by the browser's own `JSON.parse` and `JSON.stringify`, as
//! `serde_json::Value`s (the shape connkit-core reads). The wasm then carries no JSON parser or
//! printer of its own: serde_json's are part of the widget's first load otherwise.
//!
//! What is read is what Nango's own Connect UI (JavaScript) reads: object keys in the engine's
//! order (integer-like keys first, ascending), the last of duplicate keys, every number a
//! double (an integral one becomes a JSON integer, so `1.0` reads as `1`). Nesting deeper than
//! [`MAX_DEPTH`] is refused, as serde_json refuses it.
//!
//! Knows nothing about HTTP or about what the JSON means.

use js_sys::{Array, JSON, Object};
use serde_json::{Map, Number, Value};
use wasm_bindgen::{JsCast, JsValue};

/// The deepest nesting read or written (serde_json's own limit).
const MAX_DEPTH: usize = 128;

/// The largest integer every double up to it represents exactly (2^53).
const EXACT: f64 = 9_007_199_254_740_992.0;

/// `text` read as JSON; `None` when it is not JSON.
pub(crate) fn parse(text: &str) -> Option<Value> {
    from_js(&JSON::parse(text).ok()?)
}

/// `value` written as JSON text; `None` when nested deeper than [`MAX_DEPTH`].
pub(crate) fn stringify(value: &Value) -> Option<String> {
    JSON::stringify(&to_js(value, 0)?).ok()?.as_string()
}

/// A plain JavaScript value (what `JSON.parse` gives) as a `Value`; `None` for one JSON cannot
/// hold (`undefined`, functions, symbols, big integers) or nested too deep.
pub(crate) fn from_js(value: &JsValue) -> Option<Value> {
    read(value, 0)
}

fn read(value: &JsValue, depth: usize) -> Option<Value> {
    if value.is_null() {
        return Some(Value::Null);
    }
    if let Some(b) = value.as_bool() {
        return Some(Value::Bool(b));
    }
    if let Some(n) = value.as_f64() {
        return number(n).map(Value::Number);
    }
    if let Some(s) = value.as_string() {
        return Some(Value::String(s));
    }
    if depth >= MAX_DEPTH || !value.is_object() || value.is_function() {
        return None;
    }
    if Array::is_array(value) {
        let items = value.unchecked_ref::<Array>();
        return items.iter().map(|v| read(&v, depth + 1)).collect();
    }
    let mut map = Map::new();
    for entry in Object::entries(value.unchecked_ref()).iter() {
        let entry = entry.unchecked_into::<Array>();
        let key = entry.get(0).as_string()?;
        map.insert(key, read(&entry.get(1), depth + 1)?);
    }
    Some(Value::Object(map))
}

/// A double as a JSON number: an integer when it is one exactly.
fn number(n: f64) -> Option<Number> {
    if n.fract() == 0.0 && n.abs() <= EXACT {
        // Exact: integral and within ±2^53.
        #[allow(clippy::cast_possible_truncation)]
        return Some(if n < 0.0 {
            Number::from(n as i64)
        } else {
            Number::from(n as u64)
        });
    }
    Number::from_f64(n)
}

fn to_js(value: &Value, depth: usize) -> Option<JsValue> {
    Some(match value {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(n.as_f64()?),
        Value::String(s) => JsValue::from_str(s),
        _ if depth >= MAX_DEPTH => return None,
        Value::Array(items) => {
            let out = Array::new();
            for item in items {
                out.push(&to_js(item, depth + 1)?);
            }
            out.into()
        }
        // `fromEntries` defines own properties: a `__proto__` key stays a key.
        Value::Object(map) => {
            let entries = Array::new();
            for (key, item) in map {
                entries.push(&Array::of2(
                    &JsValue::from_str(key),
                    &to_js(item, depth + 1)?,
                ));
            }
            Object::from_entries(&entries).ok()?.into()
        }
    })
}

//! Writing results back to JavaScript: the `{ ok, value }` / `{ ok: false, issues }` envelope,
//! issues, JSON values as plain JavaScript values, and objects written straight from Rust
//! values ([`js_object`]: no `Value` built first, which would cost an owned key, a hashed insert
//! and a second walk per entry, and code in every module that writes a view).
//!
//! Knows nothing about which export calls it, and decides nothing: codes, paths and messages
//! come from connkit-core as they are (names and texts through `codes.rs`).

use connkit_core::{Issue, ValidationError};
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;

use crate::codes;
use crate::js;
use crate::prelude::*;

/// `{ ok: false, issues }` for every issue of `err`.
pub(crate) fn failure(err: &ValidationError) -> JsValue {
    js::fail(issues(err.issues()))
}

/// `{ ok: false, issues: [issue] }`.
pub(crate) fn failure_of(issue: &Issue) -> JsValue {
    js::fail(issues(core::slice::from_ref(issue)))
}

/// `{ ok: true, value }` or the failure.
pub(crate) fn result<T>(
    result: Result<T, ValidationError>,
    value: impl FnOnce(T) -> JsValue,
) -> JsValue {
    match result {
        Ok(it) => js::ok(value(it)),
        Err(err) => failure(&err),
    }
}

/// An array of `{ code, path, message, severity }` objects.
pub(crate) fn issues(list: &[Issue]) -> JsValue {
    let out = js_sys::Array::new_with_length(list.len() as u32);
    for (i, it) in list.iter().enumerate() {
        let path = js_sys::Array::new_with_length(it.path().len() as u32);
        for (j, segment) in it.path().iter().enumerate() {
            path.set(j as u32, JsValue::from_str(segment));
        }
        let (code, message) = codes::name_and_message(it);
        out.set(
            i as u32,
            js::issue(code, path.into(), &message, it.severity().as_str()),
        );
    }
    out.into()
}

/// A JSON value as a plain JavaScript value (objects keep their key order).
pub(crate) fn to_js(value: &Value) -> JsValue {
    match value {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(items) => js_array(items.iter().map(to_js)),
        Value::Object(map) => {
            let out = js_sys::Object::new().into();
            for (key, item) in map {
                js::put(&out, &JsValue::from_str(key), &to_js(item));
            }
            out
        }
    }
}

/// An object of string values, in the given order.
pub(crate) fn strings<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> JsValue {
    let out = js_sys::Object::new().into();
    for (key, value) in pairs {
        js::put(&out, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    out
}

/// A JSON object with these entries, in this order. (Not `json!`: its `to_value(..).unwrap()`
/// links serde's value serializer and the `Debug` printer of its error into the module.)
pub(crate) fn object(entries: Vec<(&str, Value)>) -> Value {
    let mut map = Map::with_capacity(entries.len());
    for (key, value) in entries {
        map.insert(key.to_owned(), value);
    }
    Value::Object(map)
}

/// An array of strings.
pub(crate) fn string_array(items: &[String]) -> Value {
    Value::Array(items.iter().map(|it| Value::from(it.as_str())).collect())
}

/// A JavaScript object with these entries, in this order.
pub(crate) fn js_object(entries: &[(&str, JsValue)]) -> JsValue {
    let out = js_sys::Object::new().into();
    for (key, value) in entries {
        js::put(&out, &text(key), value);
    }
    out
}

/// A JavaScript array of these values.
pub(crate) fn js_array(items: impl ExactSizeIterator<Item = JsValue>) -> JsValue {
    let out = js_sys::Array::new_with_length(items.len() as u32);
    for (i, item) in items.enumerate() {
        out.set(i as u32, item);
    }
    out.into()
}

/// A JavaScript string.
pub(crate) fn text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

/// A JavaScript string, or null.
pub(crate) fn maybe(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from_str)
}

//! Reading JavaScript arguments into the types connkit-core takes, without running a rule.
//!
//! Two readers: [`tag_entries`] (tags objects for the `filter` module's exports and the fast
//! path's test reference: keys and string values straight from the object, no
//! `serde_json::Value`) and [`json`] (everything else: a JavaScript value read
//! with JSON's semantics, as `JSON.stringify` would send it). Neither throws: proxies, getters
//! that throw, cycles, bigints and absurd sizes become a `value_type_invalid` issue.
//!
//! Not serde-wasm-bindgen: measured on the `metadata` module, it more than doubled the module
//! (most of it serde-wasm-bindgen itself, not std), was slower on large objects, lost issue
//! paths and departed from JSON semantics on values JSON lacks (`undefined`, functions,
//! bigints, `toJSON`, own `__proto__`); throwing getters and revoked proxies threw out of the
//! export, and a cycle overflowed the stack and broke the instance.
//!
//! Knows nothing about which export calls it.

use connkit_core::tags::TagValueRef;
use connkit_core::{Detail, ErrorCode, Issue, JsonType};
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;

use crate::js::{get, is_array, object_keys, type_of};
use crate::prelude::*;

/// Deepest nesting [`json`] reads (serde_json's own parser stops at 128 too).
const MAX_DEPTH: usize = 128;

/// Most values (objects, arrays, scalars) [`json`] reads from one argument.
const MAX_NODES: usize = 1 << 20;

/// One own enumerable string-keyed property of a tags-like object.
pub(crate) struct Entry {
    /// The key as JavaScript holds it (reused in results, which saves a string copy).
    pub(crate) key_js: JsValue,
    /// The key's text.
    pub(crate) key: String,
    /// The value as JavaScript holds it.
    pub(crate) value_js: JsValue,
    /// The value's text, or its type when it is not a string.
    pub(crate) value: Result<String, JsonType>,
}

impl Entry {
    /// The value as the tags rule reads it.
    pub(crate) fn value_ref(&self) -> TagValueRef<'_> {
        match &self.value {
            Ok(text) => TagValueRef::Str(text),
            Err(received) => TagValueRef::NotString(*received, None),
        }
    }
}

/// The own enumerable string keys of `input` with their values, in JavaScript's own-key order
/// (`Object.keys`). `Err` holds the type of a value that is not a readable plain object.
pub(crate) fn tag_entries(input: &JsValue) -> Result<Vec<Entry>, JsonType> {
    let kind = type_of(input);
    if kind != JsonType::Object {
        return Err(kind);
    }
    let keys = object_keys(input).map_err(|_| JsonType::Other)?;
    let n = keys.length();
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let key_js = keys.get(i);
        let key = key_js.as_string().unwrap_or_default();
        // A getter or proxy trap that throws reads as a value of no JSON type.
        let (value_js, value) = match get(input, &key_js) {
            Some(value_js) => {
                let value = value_js.as_string().ok_or_else(|| type_of(&value_js));
                (value_js, value)
            }
            None => (JsValue::UNDEFINED, Err(JsonType::Other)),
        };
        out.push(Entry {
            key_js,
            key,
            value_js,
            value,
        });
    }
    Ok(out)
}

/// `value` as JSON, with `JSON.stringify`'s semantics: `undefined`, functions and symbols are
/// left out of objects and become `null` in arrays (and at the top); non-finite numbers are
/// `null`. `toJSON` methods are not called. Integral numbers below 2⁵³ become JSON integers.
///
/// Errors: `value_type_invalid` (received `unknown`) at the offending path for a bigint, a cycle,
/// nesting deeper than 128, more than 2²⁰ values, or a proxy or getter that throws.
pub(crate) fn json(value: &JsValue) -> Result<Value, Issue> {
    let mut reader = Reader {
        ancestors: Vec::new(),
        nodes: 0,
        path: Vec::new(),
    };
    Ok(reader.read(value)?.unwrap_or(Value::Null))
}

/// [`json`] for an argument that must be an object: `Err` with a `value_type_invalid` issue at
/// `[name]` otherwise. `undefined` and `null` read as `{}` when `optional`.
pub(crate) fn object_arg(
    value: &JsValue,
    name: &str,
    optional: bool,
) -> Result<Map<String, Value>, Issue> {
    if optional && (value.is_undefined() || value.is_null()) {
        return Ok(Map::new());
    }
    match json(value) {
        Ok(Value::Object(map)) if type_of(value) == JsonType::Object => Ok(map),
        Ok(_) => Err(type_issue(name, JsonType::Object, value)),
        Err(issue) => Err(issue.prefixed(&[name.to_owned()])),
    }
}

/// `options[name]` when `options` is an object and the property is defined (a getter that
/// throws reads as absent).
pub(crate) fn option(options: &JsValue, name: &str) -> Option<JsValue> {
    if !options.is_object() {
        return None;
    }
    get(options, &JsValue::from_str(name)).filter(|v| !v.is_undefined())
}

/// `value_type_invalid` at `["options", name]`: `expected`, received something else.
pub(crate) fn option_issue(name: &str, expected: JsonType) -> Issue {
    Issue::new(
        ErrorCode::ValueTypeInvalid,
        vec!["options".to_owned(), name.to_owned()],
    )
    .with_detail(Detail::Expected {
        expected,
        received: JsonType::Other,
    })
}

/// A string argument, or a `value_type_invalid` issue at `[name]`.
pub(crate) fn string_arg(value: &JsValue, name: &str) -> Result<String, Issue> {
    value
        .as_string()
        .ok_or_else(|| type_issue(name, JsonType::String, value))
}

/// `value_type_invalid` at `[name]`: `expected`, received the type of `value`.
pub(crate) fn type_issue(name: &str, expected: JsonType, value: &JsValue) -> Issue {
    Issue::new(ErrorCode::ValueTypeInvalid, vec![name.to_owned()]).with_detail(Detail::Expected {
        expected,
        received: type_of(value),
    })
}

struct Reader {
    ancestors: Vec<JsValue>,
    nodes: usize,
    path: Vec<String>,
}

impl Reader {
    fn unreadable(&self) -> Issue {
        Issue::new(ErrorCode::ValueTypeInvalid, self.path.clone())
            .with_detail(Detail::Received(JsonType::Other))
    }

    /// `None` for values JSON leaves out (undefined, functions, symbols).
    fn read(&mut self, value: &JsValue) -> Result<Option<Value>, Issue> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(self.unreadable());
        }
        // Strings and objects first: what forms, sessions and metadata are made of (each question
        // is a call into JavaScript).
        if let Some(text) = value.as_string() {
            return Ok(Some(Value::String(text)));
        }
        if !value.is_object() {
            if let Some(n) = value.as_f64() {
                return Ok(Some(number(n)));
            }
            if let Some(b) = value.as_bool() {
                return Ok(Some(Value::Bool(b)));
            }
            if value.is_null() {
                return Ok(Some(Value::Null));
            }
            // undefined, symbol and function are skipped, as JSON.stringify does; bigint throws there.
            return if value.is_bigint() {
                Err(self.unreadable())
            } else {
                Ok(None)
            };
        }
        if self.ancestors.len() >= MAX_DEPTH || self.ancestors.iter().any(|a| a == value) {
            return Err(self.unreadable());
        }
        let array = is_array(value).map_err(|_| self.unreadable())?;
        self.ancestors.push(value.clone());
        let out = if array {
            self.array(value)
        } else {
            self.object(value)
        };
        self.ancestors.pop();
        out.map(Some)
    }

    fn array(&mut self, value: &JsValue) -> Result<Value, Issue> {
        let length = get(value, &JsValue::from_str("length"))
            .and_then(|n| n.as_f64())
            .ok_or_else(|| self.unreadable())?;
        if length > (MAX_NODES - self.nodes) as f64 {
            return Err(self.unreadable());
        }
        let mut items = Vec::with_capacity(length as usize);
        for i in 0..length as u32 {
            self.path.push(i.to_string());
            let item = match get(value, &JsValue::from(i)) {
                Some(item) => self.read(&item)?.unwrap_or(Value::Null),
                None => return Err(self.unreadable()),
            };
            self.path.pop();
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn object(&mut self, value: &JsValue) -> Result<Value, Issue> {
        let keys = object_keys(value).map_err(|_| self.unreadable())?;
        let mut map = Map::new();
        for key_js in keys.iter() {
            // The key is the path's last segment while its value is read, then the map's.
            self.path.push(key_js.as_string().unwrap_or_default());
            let item = match get(value, &key_js) {
                Some(item) => self.read(&item)?,
                None => return Err(self.unreadable()),
            };
            let key = self.path.pop().unwrap_or_default();
            if let Some(item) = item {
                map.insert(key, item);
            }
        }
        Ok(Value::Object(map))
    }
}

/// A JavaScript number as JSON: integral values below 2⁵³ as integers, non-finite as `null`.
fn number(n: f64) -> Value {
    const SAFE: f64 = 9_007_199_254_740_992.0;
    // Below 2⁵³ the cast is exact for whole numbers (core has no `fract` without std).
    if n.abs() < SAFE && (n as i64) as f64 == n {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

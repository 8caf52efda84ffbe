//! Node's `querystring.stringify(object)`, the form body simple-oauth2 sends to token
//! endpoints, and JavaScript's `String(value)` for the JSON values a template may hold.
//!
//! Knows nothing about OAuth or which parameters a body carries.

use serde_json::Value;

use super::{encode_uri_component, js_number_string};

use crate::prelude::*;

/// `querystring.stringify(object)` for `(name, value)` pairs in the object's key order: `name=value`
/// joined by `&`, both escaped as `encodeURIComponent` escapes (Node's `querystring.escape`);
/// strings as they are, finite numbers as `String(n)`, booleans as `true`/`false`, an array as one
/// pair per item, anything else (null, objects, non-finite numbers) as an empty value.
pub fn querystring_stringify<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a Value)>) -> String {
    let mut out = String::new();
    let mut push = |name: &str, value: &Value| {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&encode_uri_component(name));
        out.push('=');
        out.push_str(&encode_uri_component(&primitive(value)));
    };
    for (name, value) in pairs {
        match value {
            Value::Array(items) => items.iter().for_each(|item| push(name, item)),
            other => push(name, other),
        }
    }
    out
}

/// `stringifyPrimitive` of Node's `querystring`.
fn primitive(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .map_or_else(String::new, js_number_string),
        Value::Null | Value::Array(_) | Value::Object(_) => String::new(),
    }
}

/// JavaScript's `String(value)`: strings as they are, numbers as JavaScript writes them,
/// `true`/`false`, `null`, an array's items joined by `,` (null items empty), and
/// `[object Object]` for an object.
pub fn to_js_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(String::new, js_number_string),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::Null => String::new(),
                other => to_js_string(other),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Object(_) => "[object Object]".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn stringify_matches_node() {
        // Node 20: querystring.stringify({a:"x y~!*()'", b:1, c:true, d:null, f:{}, g:[1,2]}).
        let body = json!({"a": "x y~!*()'", "b": 1, "c": true, "d": null, "f": {}, "g": [1, 2]});
        let pairs = body
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.as_str(), v));
        assert_eq!(
            querystring_stringify(pairs),
            "a=x%20y~!*()'&b=1&c=true&d=&f=&g=1&g=2"
        );
    }

    #[test]
    fn string_of_a_value_matches_javascript() {
        assert_eq!(to_js_string(&json!(false)), "false");
        assert_eq!(to_js_string(&json!(1e21)), "1e+21");
        assert_eq!(to_js_string(&json!([1, null, "a", [2, 3]])), "1,,a,2,3");
        assert_eq!(to_js_string(&json!({"a": 1})), "[object Object]");
        assert_eq!(to_js_string(&json!(null)), "null");
    }
}

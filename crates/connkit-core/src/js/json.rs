//! `JSON.stringify` of a JSON value: compact, keys in the object's own order, strings escaped
//! and numbers written as JavaScript writes them (`1e+21`, `300` for a whole double).
//!
//! Knows nothing about what the JSON means.

use serde_json::{Map, Value};

use super::js_number_string;
use crate::prelude::*;

/// The members of an object in the order a writer lists them.
pub(crate) type MemberOrder = for<'a> fn(&'a Map<String, Value>) -> Vec<(&'a String, &'a Value)>;

/// `JSON.stringify(value)`.
pub fn json_stringify(value: &Value) -> String {
    let mut out = String::new();
    write_json(value, |map| map.iter().collect(), &mut out);
    out
}

/// Writes `value` as `JSON.stringify` does, but with each object's members in the order `order`
/// gives (a stable stringify sorts them).
pub(crate) fn write_json(value: &Value, order: MemberOrder, out: &mut String) {
    match value {
        Value::Object(map) => {
            out.push('{');
            for (idx, (key, child)) in order(map).into_iter().enumerate() {
                if idx > 0 {
                    out.push(',');
                }
                write_json_string(key, out);
                out.push(':');
                write_json(child, order, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (idx, item) in items.iter().enumerate() {
                if idx > 0 {
                    out.push(',');
                }
                write_json(item, order, out);
            }
            out.push(']');
        }
        Value::String(s) => write_json_string(s, out),
        // JSON holds only finite numbers; JavaScript parses every one as a double.
        Value::Number(n) => match n.as_f64() {
            Some(f) => out.push_str(&js_number_string(f)),
            None => out.push_str(&n.to_string()),
        },
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Null => out.push_str("null"),
    }
}

/// `JSON.stringify` of a string: `"` and `\` escaped, `\b \f \n \r \t`, other code points below
/// U+0020 as `\u00xx` (lowercase hex); everything else, U+007F and U+2028 included, as is.
fn write_json_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let code = u32::from(c) as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[code >> 4]));
                out.push(char::from(HEX[code & 0xf]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn writes_like_json_stringify() {
        let value = json!({"b": 300.0, "a": [1.5, 1e21, null, true], "s": "q\"\\\n\u{1}\u{2028}"});
        assert_eq!(
            json_stringify(&value),
            r#"{"b":300,"a":[1.5,1e+21,null,true],"s":"q\"\\\n\u0001 "}"#.replace(' ', "\u{2028}")
        );
    }
}

//! providers.yaml text → JSON value, rejecting what js-yaml (Nango's loader) rejects and
//! serde's plain map handling would let through: a key repeated in one mapping.
//!
//! Knows nothing about providers; only behind the `yaml` feature.

use core::fmt;

use serde::Deserializer;
use serde::de::{DeserializeSeed, Error, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::prelude::*;

/// Parses one YAML document into JSON. Keys become strings; a duplicated key is an error.
///
/// Not supported: merge keys (`<<`, kept as an ordinary key) and tags (an error).
/// providers.yaml uses neither.
pub(super) fn parse(text: &str) -> Result<Value, String> {
    let de = serde_norway::Deserializer::from_str(text);
    StrictValue.deserialize(de).map_err(|err| err.to_string())
}

/// A JSON value built from any self-describing format, failing on duplicate map keys.
struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(StrictValue)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON-compatible value")
    }

    fn visit_bool<E: Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<Value, E> {
        // JSON has no NaN or infinity; serde_json maps them to null too.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_none<E: Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E: Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(StrictValue)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(A::Error::custom(format_args!(
                    "duplicated mapping key {key:?}"
                )));
            }
            let value = map.next_value_seed(StrictValue)?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::parse;

    #[test]
    fn yaml_becomes_json() {
        let v = parse("a:\n  b: [1, -2, 1.5, true, null, 'x']\n  200: ok\n  c: .inf\n  d:\n").ok();
        assert_eq!(
            v,
            Some(
                json!({"a": {"b": [1, -2, 1.5, true, null, "x"], "200": "ok", "c": null, "d": null}})
            )
        );
    }

    #[test]
    fn duplicates_and_garbage_fail() {
        for bad in [
            "a: 1\na: 2",
            "x:\n  k: 1\n  k: 1",
            "a: [",
            "!tag {}",
            "---\na: 1\n---\nb: 2",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}

//! The conformance vectors of this directory (`tests/vectors/*.json`) as the Rust runners read
//! them: parsed, with every generated value expanded (`README.md` beside this crate describes
//! the files' shared conventions). connkit-core's native runner and connkit-server's HTTP runner
//! load through here, so a convention is implemented once for Rust; `tests/node/vectors.mjs` is
//! the JavaScript counterpart.
//!
//! Knows the files' shared conventions, nothing about any rule or kind of vector. Test support:
//! an unreadable or malformed file panics with its name.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// The test-only keys of `keys/` (see its README): the JWT vectors, the catalogue check and the
/// server tests sign with them.
pub mod keys {
    /// RSA 2048, PKCS#8 PEM.
    pub const RSA_PKCS8: &str = include_str!("../keys/rsa.pkcs8.pem");
    /// The same key, PKCS#1 PEM.
    pub const RSA_PKCS1: &str = include_str!("../keys/rsa.pkcs1.pem");
    /// The same key as a private JWK with `kid: test-key-1`.
    pub const RSA_JWK: &str = include_str!("../keys/rsa.jwk.json");
    /// Its public key, SPKI PEM.
    pub const RSA_PUBLIC: &str = include_str!("../keys/rsa.spki.pem");
    /// P-256, PKCS#8 PEM.
    pub const P256_PKCS8: &str = include_str!("../keys/p256.pkcs8.pem");
    /// The same key, SEC1 PEM.
    pub const P256_SEC1: &str = include_str!("../keys/p256.sec1.pem");
    /// Its public key, SPKI PEM.
    pub const P256_PUBLIC: &str = include_str!("../keys/p256.spki.pem");
    /// RSA 1024, PKCS#8 PEM: too small for RS256.
    pub const RSA_1024_PKCS8: &str = include_str!("../keys/rsa1024.pkcs8.pem");
}

/// The key that marks a generated string, `{"$repeat": unit, "times": n}`.
const REPEAT: &str = "$repeat";
/// The repeat count beside [`REPEAT`].
const TIMES: &str = "times";

/// The directory holding the vector files.
fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every vector file as `(file name, expanded JSON)`, sorted by name.
pub fn files() -> Vec<(String, Value)> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .expect("tests/vectors exists")
        .map(|entry| entry.expect("readable dir entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let json = load(&dir().join(&name));
            (name, json)
        })
        .collect()
}

/// The cases of one vector file (`"tags.json"`), expanded.
pub fn cases(name: &str) -> Vec<Value> {
    match load(&dir().join(name)) {
        Value::Object(mut file) => match file.remove("cases") {
            Some(Value::Array(cases)) => cases,
            _ => panic!("{name}: no `cases` array"),
        },
        _ => panic!("{name}: not a JSON object"),
    }
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: unreadable: {e}", path.display()));
    let json = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", path.display()));
    expand(json).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `value` with every generated value replaced by the string it stands for.
///
/// An object whose keys are exactly `$repeat` and `times` is a generator: the string `$repeat`
/// repeated `times` times. Every other object is literal, including one with a `$repeat` key
/// beside other keys (so metadata with such a key stays expressible). A generator whose
/// `$repeat` is not a string or whose `times` is not a non-negative integer is an error, not a
/// literal, so a typo cannot turn into a silently different vector. Expanding twice gives what
/// expanding once gives.
pub fn expand(value: Value) -> Result<Value, String> {
    Ok(match value {
        Value::Object(map) if is_generator(&map) => Value::String(repeat(&map)?),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, child)| Ok((key, expand(child)?)))
                .collect::<Result<_, String>>()?,
        ),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(expand).collect::<Result<_, _>>()?)
        }
        other => other,
    })
}

/// Whether `map` is a generator: its keys are exactly `$repeat` and `times`.
fn is_generator(map: &Map<String, Value>) -> bool {
    map.len() == 2 && map.contains_key(REPEAT) && map.contains_key(TIMES)
}

/// The string a generator stands for.
fn repeat(map: &Map<String, Value>) -> Result<String, String> {
    let unit = map[REPEAT].as_str();
    let times = map[TIMES].as_u64().and_then(|n| usize::try_from(n).ok());
    match (unit, times) {
        (Some(unit), Some(times)) => Ok(unit.repeat(times)),
        _ => Err(format!(
            "a generator needs a string `{REPEAT}` and a non-negative integer `{TIMES}`: {}",
            Value::Object(map.clone())
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_generator_becomes_its_string_anywhere() {
        let got = expand(json!({
            "a": [{"$repeat": "ab", "times": 3}],
            "b": {"$repeat": "x", "times": 0},
            "c": {"d": {"$repeat": "😀", "times": 2}},
        }));
        assert_eq!(
            got,
            Ok(json!({"a": ["ababab"], "b": "", "c": {"d": "😀😀"}}))
        );
    }

    #[test]
    fn other_objects_with_a_repeat_key_stay_literal() {
        let literal = json!({
            "one key": {"$repeat": "x"},
            "three keys": {"$repeat": "x", "times": 2, "note": 1},
            "times with another key": {"times": 2, "other": "x"},
            "__proto__": {"$repeat": "x", "time": 2},
        });
        assert_eq!(expand(literal.clone()), Ok(literal));
    }

    #[test]
    fn expanding_twice_is_expanding_once() {
        let once = expand(json!({"k": {"$repeat": "x", "times": 2}, "n": [1, null]})).unwrap();
        assert_eq!(expand(once.clone()), Ok(once));
    }

    #[test]
    fn a_malformed_generator_is_an_error_not_a_literal() {
        for bad in [
            json!({"$repeat": "x", "times": "3"}),
            json!({"$repeat": "x", "times": -1}),
            json!({"$repeat": "x", "times": 1.5}),
            json!({"$repeat": 7, "times": 3}),
        ] {
            assert!(expand(json!([bad.clone()])).is_err(), "{bad}");
        }
    }

    /// Whether a generator is left anywhere in `value`.
    fn any_generator(value: &Value) -> bool {
        match value {
            Value::Object(map) => is_generator(map) || map.values().any(any_generator),
            Value::Array(items) => items.iter().any(any_generator),
            _ => false,
        }
    }

    #[test]
    fn every_file_loads_with_its_generators_expanded() {
        let files = files();
        assert!(files.len() >= 10, "only {} vector files", files.len());
        for (name, json) in &files {
            assert!(!any_generator(json), "{name}: a generator survived loading");
            assert_eq!(json["cases"], Value::Array(cases(name)), "{name}");
        }
    }
}

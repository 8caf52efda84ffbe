//! Benchmarks of the rules on the paths that run per request or per keystroke (divan).
//!
//! `reference_parse_tags_3` parses the 3-tag JSON text with serde_json: every other figure is
//! reported by `cargo xtask bench` as a ratio to it, because absolute times on our machines are
//! noisy. Inputs are built once, outside the measured closures.

use connkit_core::tags::{nango_tag_errors, validate_tags};
use divan::black_box;
use serde_json::{Value, json};

fn main() {
    divan::main();
}

const TAGS_3: &str = r#"{"end_user_id":"u_123","Organization_Id":"org-9","plan":"Pro"}"#;

fn tags_10() -> Value {
    let mut map = serde_json::Map::new();
    for n in 0..10 {
        map.insert(
            format!("Key_{n}"),
            Value::String(format!("value number {n}")),
        );
    }
    map.insert("end_user_email".into(), json!("someone@example.com"));
    map.remove("Key_9");
    Value::Object(map)
}

fn tags_invalid() -> Value {
    json!({"1bad": "x", "ok": "", "End_User_Email": "nope", "END_USER_email": "a@b.co", "n": 5})
}

#[divan::bench]
fn reference_parse_tags_3(bencher: divan::Bencher<'_, '_>) {
    bencher.bench(|| serde_json::from_str::<Value>(black_box(TAGS_3)).map(|v| v.is_object()));
}

#[divan::bench]
fn validate_tags_valid_3(bencher: divan::Bencher<'_, '_>) {
    let input: Value = serde_json::from_str(TAGS_3).unwrap_or(Value::Null);
    bencher.bench(|| validate_tags(black_box(&input)).is_ok());
}

#[divan::bench]
fn validate_tags_valid_10(bencher: divan::Bencher<'_, '_>) {
    let input = tags_10();
    bencher.bench(|| validate_tags(black_box(&input)).is_ok());
}

#[divan::bench]
fn validate_tags_invalid(bencher: divan::Bencher<'_, '_>) {
    let input = tags_invalid();
    bencher.bench(|| validate_tags(black_box(&input)).is_err());
}

#[divan::bench]
fn nango_projection_invalid(bencher: divan::Bencher<'_, '_>) {
    let input = tags_invalid();
    let prefix = ["tags".to_owned()];
    bencher.bench(|| nango_tag_errors(black_box(&input), &prefix).len());
}

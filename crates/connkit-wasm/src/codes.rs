//! The names and English texts of the error codes a wasm module gives, as [`crate::write`]
//! writes them into issues. A module whose exports can give only a few codes (listed here per
//! feature, as constant tables built from core's `ErrorCode::as_str` and `ErrorCode::text`)
//! carries only those codes' strings; a module with any feature that has no list carries every
//! code's. The tests hold each list to the codes its exports' vectors expect, and the features
//! without a list to `Cargo.toml`.
//!
//! Knows nothing about rules: which code an issue has is core's decision.

use connkit_core::{ErrorCode, Issue};

use crate::prelude::*;

/// The features with no list: the module carries every code when it has one of them.
macro_rules! unlisted {
    ($($feature:literal),* $(,)?) => {
        const EVERY: bool = cfg!(any($(feature = $feature),*));
        #[cfg(test)]
        const UNLISTED: &[&str] = &[$($feature),*];
    };
}

unlisted!(
    "tags",
    "filter",
    "catalogue",
    "interpolate",
    "query",
    "metadata",
    "session",
    "webhook",
    "reference",
);

/// What `buildForm` and `validateConnectionConfig` can give: the provider entry's and the
/// options' issues, and the rules of a form's fields (`tests/vectors/form.json`, `fields.json`).
#[cfg(any(feature = "form", test))]
const FORM: &[ErrorCode] = &[
    ErrorCode::ValueTypeInvalid,
    ErrorCode::ProviderInvalid,
    ErrorCode::FieldRequired,
    ErrorCode::FieldNotString,
    ErrorCode::FieldUnknown,
    ErrorCode::FieldEnumMismatch,
    ErrorCode::FieldPatternMismatch,
    ErrorCode::FieldPatternUnusable,
    ErrorCode::FieldEmailInvalid,
    ErrorCode::FieldHostnameInvalid,
    ErrorCode::FieldUriInvalid,
    ErrorCode::FieldUuidInvalid,
];

#[cfg(feature = "form")]
const LISTED: &[ErrorCode] = FORM;
#[cfg(not(feature = "form"))]
const LISTED: &[ErrorCode] = &[];

/// `(name, text)` of each listed code.
static TABLE: [(&str, &str); LISTED.len()] = table();

const fn table() -> [(&'static str, &'static str); LISTED.len()] {
    let mut out = [("", ""); LISTED.len()];
    let mut i = 0;
    while i < LISTED.len() {
        out[i] = (LISTED[i].as_str(), LISTED[i].text());
        i += 1;
    }
    out
}

/// The code's name and text (empty for a code outside the module's list, which the tests rule
/// out).
fn name_and_text(code: ErrorCode) -> (&'static str, &'static str) {
    if EVERY {
        return (code.as_str(), code.text());
    }
    LISTED
        .iter()
        .zip(&TABLE)
        .find(|(listed, _)| **listed == code)
        .map_or(("", ""), |(_, row)| *row)
}

/// The issue's code name and message.
pub(crate) fn name_and_message(issue: &Issue) -> (&'static str, String) {
    let (name, text) = name_and_text(issue.code());
    (name, issue.message_with(text))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;

    /// The code of every issue anywhere in `value` (the items of its `"issues"` arrays).
    fn codes(value: &Value, out: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    if let ("issues", Value::Array(issues)) = (key.as_str(), value) {
                        let names = issues.iter().filter_map(|it| it.get("code")?.as_str());
                        out.extend(names.map(str::to_owned));
                    }
                    codes(value, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|it| codes(it, out)),
            _ => {}
        }
    }

    fn vector_codes(files: &[&str]) -> BTreeSet<String> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/");
        let mut out = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(format!("{dir}{file}")).expect("vector file");
            codes(&serde_json::from_str(&text).expect("vector JSON"), &mut out);
        }
        out
    }

    #[test]
    fn the_form_list_is_the_codes_of_its_vectors() {
        let expected = vector_codes(&["form.json", "fields.json"]);
        let listed: BTreeSet<String> = FORM.iter().map(|c| c.as_str().to_owned()).collect();
        assert_eq!(listed, expected);
    }

    #[test]
    fn every_feature_without_a_list_is_named() {
        let manifest = include_str!("../Cargo.toml");
        let features = manifest
            .split("[features]")
            .nth(1)
            .and_then(|rest| rest.split("\n[").next())
            .expect("a [features] table");
        let names: BTreeSet<&str> = features
            .lines()
            .filter_map(|line| line.split_once(" = "))
            .map(|(name, _)| name.trim())
            .filter(|name| !name.is_empty() && !name.starts_with('#') && *name != "default")
            .collect();
        let mut expected: BTreeSet<&str> = UNLISTED.iter().copied().collect();
        expected.insert("form");
        assert_eq!(names, expected);
    }

    #[test]
    fn listed_rows_are_core_names_and_texts() {
        for (code, (name, text)) in LISTED.iter().zip(&TABLE) {
            assert_eq!((code.as_str(), code.text()), (*name, *text));
        }
        for code in ErrorCode::ALL {
            assert_eq!(name_and_text(*code), (code.as_str(), code.text()));
        }
    }
}

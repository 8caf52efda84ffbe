//! What a Connect UI field accepts, as the form model describes it (spec §4.3, Connect UI's
//! `jsonSchemaToZod`): the [`FieldRule`] built from a providers.yaml field schema or for a
//! built-in credential.
//!
//! A description only: checking a value against a rule is `crate::field`'s job. Knows nothing
//! about values, patterns' engines, HTTP or the DOM.

use crate::catalogue::{FieldFormat, FieldSchema};
use crate::prelude::*;

/// What a field accepts: the zod schema Connect UI builds for it.
///
/// A value that is absent counts as `''` (Connect UI always sends a string; absent fields only
/// reach connkit from other clients). Any present non-string value is `field_not_string`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldRule {
    /// Any string (hidden fields, and `z.string().optional()` fields such as the OAuth overrides).
    AnyString,
    /// One of `values` (`enum`); `''` as well when `optional`.
    OneOf {
        /// The allowed values.
        values: Vec<String>,
        /// `optional: true`.
        optional: bool,
    },
    /// A string with checks.
    Text {
        /// `optional: true`: `''` is accepted (and skips every other check).
        optional: bool,
        /// `min(1)`: set when there is no known `format` and no `default_value`.
        non_empty: bool,
        /// A known format (`hostname`, `uri`, `uuid`, `email`), which also rejects `''`.
        format: Option<FieldFormat>,
        /// A JavaScript RegExp source, tested unanchored.
        pattern: Option<String>,
    },
}

impl FieldRule {
    /// `z.string().min(1)`: the built-in credential fields (`apiKey`, `username`, …).
    pub fn required() -> FieldRule {
        FieldRule::Text {
            optional: false,
            non_empty: true,
            format: None,
            pattern: None,
        }
    }

    /// The rule for a providers.yaml field schema, as `jsonSchemaToZod` builds it: `hidden` →
    /// any string; a non-empty `enum` → one of it; otherwise a string with its `format`, `min(1)`
    /// unless a format or `default_value` (even `''`) is given, and its `pattern`.
    pub fn from_schema(schema: &FieldSchema) -> FieldRule {
        if schema.hidden {
            return FieldRule::AnyString;
        }
        if !schema.enum_values.is_empty() {
            return FieldRule::OneOf {
                values: schema.enum_values.clone(),
                optional: schema.optional,
            };
        }
        let format = schema
            .format
            .clone()
            .filter(|f| !matches!(f, FieldFormat::Other(_)));
        FieldRule::Text {
            optional: schema.optional,
            non_empty: format.is_none() && schema.default_value.is_none(),
            format,
            pattern: schema.pattern.clone(),
        }
    }

    /// True if `''` can pass (an optional, hidden or `default_value` field).
    pub fn accepts_empty(&self) -> bool {
        match self {
            FieldRule::AnyString => true,
            FieldRule::OneOf { values, optional } => {
                *optional || values.iter().any(String::is_empty)
            }
            FieldRule::Text {
                optional,
                non_empty,
                format,
                ..
            } => *optional || (!non_empty && format.is_none()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn rules_follow_json_schema_to_zod() {
        let schema = |v: Value| FieldSchema::from_json("f", &v).0.unwrap_or_default();
        assert_eq!(
            FieldRule::from_schema(&schema(json!({"hidden": true, "pattern": "x"}))),
            FieldRule::AnyString
        );
        assert_eq!(
            FieldRule::from_schema(&schema(json!({"enum": ["a"], "optional": true}))),
            FieldRule::OneOf {
                values: vec!["a".into()],
                optional: true
            }
        );
        let text = FieldRule::from_schema(&schema(json!({"format": "uri", "pattern": "^h"})));
        assert_eq!(
            text,
            FieldRule::Text {
                optional: false,
                non_empty: false,
                format: Some(FieldFormat::Uri),
                pattern: Some("^h".into())
            }
        );
        assert!(!text.accepts_empty());
        assert!(FieldRule::from_schema(&schema(json!({"default_value": ""}))).accepts_empty());
        assert!(!FieldRule::required().accepts_empty());
    }
}

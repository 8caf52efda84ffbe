//! The typed parts of a provider entry: its auth mode and the field schema used by
//! `credentials`, `connection_config`, `integration_config` and `assertion_option` (spec §5.2, §5.3).
//!
//! Parsing is lenient: an attribute of the wrong type is reported as a `provider_invalid` warning
//! and ignored; the field itself is kept. Knows nothing about forms, validation or aliases.

use serde_json::{Map, Value};

use crate::js::js_key_order;
use crate::nango::path_with;
use crate::prelude::*;
use crate::{ErrorCode, Issue};

/// A provider's `auth_mode` (spec §5.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthMode {
    /// `OAUTH2`
    OAuth2,
    /// `OAUTH1`
    OAuth1,
    /// `OAUTH2_CC` (client credentials)
    OAuth2Cc,
    /// `API_KEY`
    ApiKey,
    /// `BASIC`
    Basic,
    /// `APP` (GitHub App)
    App,
    /// `CUSTOM`
    Custom,
    /// `NONE` (no credentials)
    None,
    /// `TBA` (NetSuite token-based auth)
    Tba,
    /// `JWT`
    Jwt,
    /// `BILL`
    Bill,
    /// `TWO_STEP`
    TwoStep,
    /// `SIGNATURE`
    Signature,
    /// `MCP_OAUTH2`
    McpOAuth2,
    /// `MCP_OAUTH2_GENERIC`
    McpOAuth2Generic,
    /// `INSTALL_PLUGIN`
    InstallPlugin,
    /// `AWS_SIGV4`
    AwsSigV4,
    /// `APP_STORE` (legacy, still in Nango's schema)
    AppStore,
    /// `TABLEAU` (legacy, still in Nango's schema)
    Tableau,
    /// A mode this version does not know, kept verbatim.
    Unknown(String),
}

const AUTH_MODES: &[(&str, AuthMode)] = &[
    ("OAUTH2", AuthMode::OAuth2),
    ("OAUTH1", AuthMode::OAuth1),
    ("OAUTH2_CC", AuthMode::OAuth2Cc),
    ("API_KEY", AuthMode::ApiKey),
    ("BASIC", AuthMode::Basic),
    ("APP", AuthMode::App),
    ("CUSTOM", AuthMode::Custom),
    ("NONE", AuthMode::None),
    ("TBA", AuthMode::Tba),
    ("JWT", AuthMode::Jwt),
    ("BILL", AuthMode::Bill),
    ("TWO_STEP", AuthMode::TwoStep),
    ("SIGNATURE", AuthMode::Signature),
    ("MCP_OAUTH2", AuthMode::McpOAuth2),
    ("MCP_OAUTH2_GENERIC", AuthMode::McpOAuth2Generic),
    ("INSTALL_PLUGIN", AuthMode::InstallPlugin),
    ("AWS_SIGV4", AuthMode::AwsSigV4),
    ("APP_STORE", AuthMode::AppStore),
    ("TABLEAU", AuthMode::Tableau),
];

impl AuthMode {
    /// The mode named `name` (case-sensitive, as Nango compares it), or [`AuthMode::Unknown`].
    pub fn parse(name: &str) -> AuthMode {
        AUTH_MODES
            .iter()
            .find(|(n, _)| *n == name)
            .map_or_else(|| AuthMode::Unknown(name.to_owned()), |(_, m)| m.clone())
    }

    /// The wire name (`"API_KEY"`, …).
    pub fn as_str(&self) -> &str {
        match self {
            AuthMode::Unknown(name) => name,
            known => AUTH_MODES
                .iter()
                .find(|(_, m)| m == known)
                .map_or("", |(n, _)| n),
        }
    }
}

/// A field's `format` (spec §5.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldFormat {
    /// `hostname`: `^[a-zA-Z0-9.-]+$`.
    Hostname,
    /// `uri`: an absolute URL.
    Uri,
    /// `uuid`: versions 1–8 or nil.
    Uuid,
    /// `email`: zod 4.0.5's email rule.
    Email,
    /// Any other value, kept verbatim; Connect UI treats it as no format.
    Other(String),
}

impl FieldFormat {
    /// The format named `name`.
    pub fn parse(name: &str) -> FieldFormat {
        match name {
            "hostname" => FieldFormat::Hostname,
            "uri" => FieldFormat::Uri,
            "uuid" => FieldFormat::Uuid,
            "email" => FieldFormat::Email,
            other => FieldFormat::Other(other.to_owned()),
        }
    }

    /// The name as written in providers.yaml.
    pub fn as_str(&self) -> &str {
        match self {
            FieldFormat::Hostname => "hostname",
            FieldFormat::Uri => "uri",
            FieldFormat::Uuid => "uuid",
            FieldFormat::Email => "email",
            FieldFormat::Other(name) => name,
        }
    }
}

/// One entry of a field map (`SimplifiedJSONSchema`, spec §5.3). Absent attributes are `None`,
/// `false` or empty.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct FieldSchema {
    /// The key in the field map.
    pub name: String,
    /// `title`: the label.
    pub title: Option<String>,
    /// `description`: help text.
    pub description: Option<String>,
    /// `example`: the placeholder.
    pub example: Option<String>,
    /// `pattern`: a JavaScript RegExp source, matched unanchored and without flags.
    pub pattern: Option<String>,
    /// `format`.
    pub format: Option<FieldFormat>,
    /// `enum`: the allowed values (empty when absent; an empty list means no enum).
    pub enum_values: Vec<String>,
    /// `order`: position in the Connect UI form.
    pub order: Option<f64>,
    /// `optional: true`: `''` is accepted.
    pub optional: bool,
    /// `default_value`: initial value; its presence (even `''`) lifts the "required" rule.
    pub default_value: Option<String>,
    /// `hidden`: not rendered, still submitted (`true` or the string `"true"`).
    pub hidden: bool,
    /// `automated`: filled by Nango after auth, never part of the form.
    pub automated: bool,
    /// `secret`: a password input (`true` or the string `"true"`).
    pub secret: bool,
    /// `prefix`: decoration before the input, not part of the value.
    pub prefix: Option<String>,
    /// `suffix`: decoration after the input, not part of the value.
    pub suffix: Option<String>,
    /// `doc_section`: anchor appended to `docs_connect`.
    pub doc_section: Option<String>,
}

impl FieldSchema {
    /// A field named `name` with no attributes.
    pub fn named(name: impl Into<String>) -> FieldSchema {
        FieldSchema {
            name: name.into(),
            ..FieldSchema::default()
        }
    }

    /// Reads one field schema; wrong-typed attributes become warnings at `[attr]` (relative to
    /// the field) and are ignored. `None` (with a warning at `[]`) when `value` is not an object.
    pub fn from_json(name: &str, value: &Value) -> (Option<FieldSchema>, Vec<Issue>) {
        let mut issues = Vec::new();
        let field = parse_field(name, value, &[], &mut issues);
        (field, issues)
    }
}

/// A warning that something in a provider entry is malformed, at `path`.
pub(crate) fn invalid(path: Vec<String>) -> Issue {
    Issue::warning(ErrorCode::ProviderInvalid, path)
}

/// Reads a field map (`credentials`, `connection_config`, …) in JavaScript key order.
/// `null` or absent means no fields; anything else that is not an object is a warning.
pub(crate) fn parse_group(
    value: Option<&Value>,
    path: &[String],
    issues: &mut Vec<Issue>,
) -> Vec<FieldSchema> {
    let map: &Map<String, Value> = match value {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Object(map)) => map,
        Some(_) => {
            issues.push(invalid(path.to_vec()));
            return Vec::new();
        }
    };
    let entries: Vec<(&String, &Value)> = map.iter().collect();
    js_key_order(entries.iter().map(|(k, _)| k.as_str()))
        .into_iter()
        .filter_map(|i| entries.get(i))
        .filter_map(|(name, value)| parse_field(name, value, &path_with(path, name), issues))
        .collect()
}

fn parse_field(
    name: &str,
    value: &Value,
    path: &[String],
    issues: &mut Vec<Issue>,
) -> Option<FieldSchema> {
    let Value::Object(map) = value else {
        issues.push(invalid(path.to_vec()));
        return None;
    };
    let mut field = FieldSchema::named(name);
    for (attr, v) in map {
        let mut bad = false;
        {
            let mut text = |slot: &mut Option<String>| match v {
                Value::String(s) => *slot = Some(s.clone()),
                _ => bad = true,
            };
            match attr.as_str() {
                "title" => text(&mut field.title),
                "description" => text(&mut field.description),
                "example" => text(&mut field.example),
                "pattern" => text(&mut field.pattern),
                "default_value" => text(&mut field.default_value),
                "prefix" => text(&mut field.prefix),
                "suffix" => text(&mut field.suffix),
                "doc_section" => text(&mut field.doc_section),
                _ => {}
            }
        }
        match attr.as_str() {
            "format" => match v {
                Value::String(s) => field.format = Some(FieldFormat::parse(s)),
                _ => bad = true,
            },
            "order" => match v.as_f64() {
                Some(n) => field.order = Some(n),
                None => bad = true,
            },
            "optional" => bad |= !read_bool(v, false, &mut field.optional),
            "automated" => bad |= !read_bool(v, false, &mut field.automated),
            "hidden" => bad |= !read_bool(v, true, &mut field.hidden),
            "secret" => bad |= !read_bool(v, true, &mut field.secret),
            "enum" => match v {
                Value::Array(items) => {
                    for (idx, item) in items.iter().enumerate() {
                        match item {
                            Value::String(s) => field.enum_values.push(s.clone()),
                            _ => issues
                                .push(invalid(path_with(&path_with(path, attr), &idx.to_string()))),
                        }
                    }
                }
                _ => bad = true,
            },
            _ => {}
        }
        if bad {
            issues.push(invalid(path_with(path, attr)));
        }
    }
    Some(field)
}

/// Reads a boolean attribute; with `strings`, `"true"`/`"false"` count too (Nango's TypeScript
/// types declare `hidden` and `secret` as strings). False when the value is unusable.
fn read_bool(value: &Value, strings: bool, slot: &mut bool) -> bool {
    match value {
        Value::Bool(b) => *slot = *b,
        Value::String(s) if strings && s == "true" => *slot = true,
        Value::String(s) if strings && s == "false" => *slot = false,
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn auth_modes_round_trip() {
        for (name, mode) in AUTH_MODES {
            assert_eq!(&AuthMode::parse(name), mode);
            assert_eq!(mode.as_str(), *name);
        }
        assert_eq!(
            AuthMode::parse("api_key"),
            AuthMode::Unknown("api_key".into())
        );
        assert_eq!(AuthMode::parse("X").as_str(), "X");
    }

    #[test]
    fn every_attribute_is_read() {
        let (field, issues) = FieldSchema::from_json(
            "subdomain",
            &json!({"type": "string", "title": "T", "description": "D", "example": "e", "pattern": "^a$", "format": "hostname",
                    "enum": ["a", "b"], "order": 2, "optional": true, "default_value": "", "hidden": "true", "automated": false,
                    "secret": true, "prefix": "https://", "suffix": ".x.com", "doc_section": "#s"}),
        );
        assert!(issues.is_empty());
        let field = field.unwrap_or_default();
        assert_eq!(field.format, Some(FieldFormat::Hostname));
        assert_eq!(field.enum_values, ["a", "b"]);
        assert_eq!(field.order, Some(2.0));
        assert!(field.optional && field.hidden && field.secret && !field.automated);
        assert_eq!(field.default_value.as_deref(), Some(""));
    }

    #[test]
    fn wrong_types_warn_and_are_ignored() {
        let (field, issues) = FieldSchema::from_json(
            "k",
            &json!({"pattern": 5, "optional": "yes", "hidden": "nope", "enum": ["a", 1], "order": "3"}),
        );
        let field = field.unwrap_or_default();
        assert_eq!(field.pattern, None);
        assert!(!field.optional && !field.hidden);
        assert_eq!(field.enum_values, ["a"]);
        let paths: Vec<&[String]> = issues.iter().map(|it| it.path()).collect();
        assert_eq!(
            paths,
            [
                &["pattern".to_owned()][..],
                &["optional".into()],
                &["hidden".into()],
                &["enum".into(), "1".into()],
                &["order".into()]
            ]
        );
        assert!(
            issues
                .iter()
                .all(|it| it.code() == ErrorCode::ProviderInvalid)
        );
        let (none, issues) = FieldSchema::from_json("k", &json!("x"));
        assert!(
            none.is_none() && issues.len() == 1 && issues.iter().all(|it| it.path().is_empty())
        );
    }

    #[test]
    fn groups_follow_javascript_key_order() {
        let mut issues = Vec::new();
        let fields = parse_group(
            Some(&json!({"b": {}, "1": {}, "a": {}})),
            &["credentials".into()],
            &mut issues,
        );
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["1", "b", "a"]);
        assert!(parse_group(Some(&Value::Null), &[], &mut issues).is_empty() && issues.is_empty());
        assert!(parse_group(Some(&json!([])), &["x".into()], &mut issues).is_empty());
        assert_eq!(issues.len(), 1);
    }
}

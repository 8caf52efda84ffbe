//! Nango's provider catalogue, `providers.yaml`, read unchanged (spec §5.1–5.3): from YAML
//! (feature `yaml`) or from the same document as JSON (what JavaScript hosts hold).
//!
//! Loading resolves aliases as Nango does (a shallow merge, in JavaScript key order) and keeps
//! every provider's resolved JSON, which the server returns from `GET /providers/:name`, next to
//! typed accessors for what the rules need. A malformed entry never stops the load: it is skipped
//! (or its bad attribute ignored) and reported as a warning in [`Catalogue::issues`].
//!
//! Knows nothing about forms, validation, HTTP or localisation.

mod schema;
#[cfg(feature = "yaml")]
mod yaml;

use alloc::collections::BTreeMap;

use serde_json::{Map, Value};

pub use schema::{AuthMode, FieldFormat, FieldSchema};

use crate::js::js_key_order;
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue, JsonType, ValidationError};

/// One provider, aliases resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    name: String,
    json: Map<String, Value>,
    alias_of: Option<String>,
    display_name: String,
    auth_mode: AuthMode,
    credentials: Vec<FieldSchema>,
    connection_config: Vec<FieldSchema>,
    integration_config: Vec<FieldSchema>,
    assertion_option: Vec<FieldSchema>,
    issues: Vec<Issue>,
}

impl Provider {
    /// Reads one resolved provider entry (e.g. the `data` of `GET /providers/:name`); an `alias`
    /// key is kept in the JSON but not followed.
    ///
    /// Errors (`provider_invalid`) when `value` is not an object or lacks a string `display_name`
    /// or `auth_mode`. Malformed field attributes are warnings in [`Provider::issues`].
    pub fn from_json(name: &str, value: &Value) -> Result<Provider, ValidationError> {
        let Value::Object(map) = value else {
            return Err(fatal(vec![
                Issue::new(ErrorCode::ProviderInvalid, Vec::new())
                    .with_detail(Detail::Received(JsonType::of(value))),
            ]));
        };
        Provider::build(name, map.clone(), None, Issue::new).map_err(fatal)
    }

    fn build(
        name: &str,
        json: Map<String, Value>,
        alias_of: Option<String>,
        severe: fn(ErrorCode, Vec<String>) -> Issue,
    ) -> Result<Provider, Vec<Issue>> {
        let text = |key: &str| match json.get(key) {
            Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
            other => Err(severe(ErrorCode::ProviderInvalid, vec![key.to_owned()])
                .with_detail(received(other))),
        };
        let (display_name, auth_mode) = match (text("display_name"), text("auth_mode")) {
            (Ok(display_name), Ok(auth_mode)) => (display_name, AuthMode::parse(&auth_mode)),
            (a, b) => return Err([a.err(), b.err()].into_iter().flatten().collect()),
        };
        let mut issues = Vec::new();
        let mut group =
            |key: &str| schema::parse_group(json.get(key), &[key.to_owned()], &mut issues);
        let credentials = group("credentials");
        let connection_config = group("connection_config");
        let integration_config = group("integration_config");
        let assertion_option = group("assertion_option");
        Ok(Provider {
            name: name.to_owned(),
            json,
            alias_of,
            display_name,
            auth_mode,
            credentials,
            connection_config,
            integration_config,
            assertion_option,
            issues,
        })
    }

    /// The provider's key in the catalogue (`"github"`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole resolved entry, as Nango holds it after alias resolution.
    pub fn json(&self) -> &Map<String, Value> {
        &self.json
    }

    /// The provider this entry is an alias of, when it is one.
    pub fn alias_of(&self) -> Option<&str> {
        self.alias_of.as_deref()
    }

    /// `display_name`.
    pub fn display_name(&self) -> &str {
        &self.display_name
    }

    /// `auth_mode`.
    pub fn auth_mode(&self) -> &AuthMode {
        &self.auth_mode
    }

    fn str_field(&self, key: &str) -> Option<&str> {
        self.json
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// `docs`, the provider's documentation page.
    pub fn docs(&self) -> Option<&str> {
        self.str_field("docs")
    }

    /// `docs_connect`, the Connect UI guide that field `doc_section`s point into.
    pub fn docs_connect(&self) -> Option<&str> {
        self.str_field("docs_connect")
    }

    /// `installation` (`"outbound"` for sentry-oauth).
    pub fn installation(&self) -> Option<&str> {
        self.str_field("installation")
    }

    /// `require_client_certificate: true` (OAUTH2_CC asks for a certificate and a private key).
    pub fn require_client_certificate(&self) -> bool {
        matches!(
            self.json.get("require_client_certificate"),
            Some(Value::Bool(true))
        )
    }

    /// `token_request_auth_method` (`basic`, `custom`, `private_key_jwt`).
    pub fn token_request_auth_method(&self) -> Option<&str> {
        self.str_field("token_request_auth_method")
    }

    /// `credentials` fields, in JavaScript key order.
    pub fn credentials(&self) -> &[FieldSchema] {
        &self.credentials
    }

    /// `connection_config` fields, in JavaScript key order.
    pub fn connection_config(&self) -> &[FieldSchema] {
        &self.connection_config
    }

    /// `integration_config` fields, in JavaScript key order.
    pub fn integration_config(&self) -> &[FieldSchema] {
        &self.integration_config
    }

    /// `assertion_option` fields, in JavaScript key order.
    pub fn assertion_option(&self) -> &[FieldSchema] {
        &self.assertion_option
    }

    /// Warnings about malformed attributes, with paths relative to the entry.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }
}

/// The loaded catalogue.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    providers: Vec<Provider>,
    by_name: BTreeMap<String, usize>,
    issues: Vec<Issue>,
}

/// Where an entry stands while aliases are resolved in order.
enum Slot<'a> {
    /// A plain entry, as written.
    Plain(&'a Value),
    /// An alias not resolved yet.
    Pending,
    /// An alias merged with its target.
    Resolved(Map<String, Value>, String),
    /// An alias that could not be resolved.
    Broken,
}

impl Catalogue {
    /// Reads providers.yaml text.
    ///
    /// Errors (`catalogue_invalid`) when the text is not one YAML document, repeats a key in a
    /// mapping (js-yaml, Nango's loader, refuses that too) or is not a map; see [`Catalogue::from_json`].
    #[cfg(feature = "yaml")]
    pub fn from_yaml_str(text: &str) -> Result<Catalogue, ValidationError> {
        match yaml::parse(text) {
            Ok(value) => Catalogue::from_json(&value),
            Err(why) => Err(fatal(vec![
                Issue::new(ErrorCode::CatalogueInvalid, Vec::new()).with_detail(Detail::Name(why)),
            ])),
        }
    }

    /// Reads the providers.yaml document as JSON: an object of `providerName → entry`.
    ///
    /// Errors (`catalogue_invalid`) only when `value` is not an object. Everything else is a
    /// warning in [`Catalogue::issues`] (paths start with the provider name):
    /// * `provider_invalid`: an entry that is not an object or lacks a string `display_name` or
    ///   `auth_mode` (after alias resolution) is left out; a malformed field attribute is ignored.
    /// * `provider_alias_unknown` at `[name, "alias"]`: the alias target is missing, is an alias
    ///   that comes later (not resolved yet, as in Nango's sequential pass), or is itself broken.
    ///   The alias is left out. Nango would keep only the alias's own keys, a provider without
    ///   `auth_mode`. A later *plain* target works, as in Nango (e.g. `confluence` → `jira`).
    pub fn from_json(value: &Value) -> Result<Catalogue, ValidationError> {
        let Value::Object(entries) = value else {
            return Err(fatal(vec![
                Issue::new(ErrorCode::CatalogueInvalid, Vec::new())
                    .with_detail(Detail::Received(JsonType::of(value))),
            ]));
        };
        let raw: Vec<(&str, &Value)> = entries.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let order: Vec<usize> = js_key_order(raw.iter().map(|(k, _)| *k));
        // Slots by position in `raw`; `position` finds a name's (the same map type as
        // `by_name`, so the wasm build holds one copy of the map code).
        let mut position: BTreeMap<String, usize> = BTreeMap::new();
        for (i, &(name, _)) in raw.iter().enumerate() {
            position.insert(name.to_owned(), i);
        }
        let mut slots: Vec<Slot<'_>> = raw
            .iter()
            .map(|&(_, v)| {
                if v.get("alias").is_some() && v.is_object() {
                    Slot::Pending
                } else {
                    Slot::Plain(v)
                }
            })
            .collect();
        let mut issues = Vec::new();
        for &i in &order {
            let Some(&(name, entry)) = raw.get(i) else {
                continue;
            };
            let Value::Object(own) = entry else { continue };
            let Some(target) = own.get("alias") else {
                continue;
            };
            let slot = match target.as_str() {
                None => {
                    issues.push(
                        Issue::warning(
                            ErrorCode::ProviderInvalid,
                            vec![name.to_owned(), "alias".to_owned()],
                        )
                        .with_detail(received(Some(target))),
                    );
                    Slot::Broken
                }
                Some(target) => {
                    match merge_alias(position.get(target).and_then(|&at| slots.get(at)), own) {
                        Some(merged) => Slot::Resolved(merged, target.to_owned()),
                        None => {
                            issues.push(
                                Issue::warning(
                                    ErrorCode::ProviderAliasUnknown,
                                    vec![name.to_owned(), "alias".to_owned()],
                                )
                                .with_detail(Detail::Name(target.to_owned())),
                            );
                            Slot::Broken
                        }
                    }
                }
            };
            if let Some(at) = slots.get_mut(i) {
                *at = slot;
            }
        }
        let mut catalogue = Catalogue::default();
        for &i in &order {
            let Some(&(name, _)) = raw.get(i) else {
                continue;
            };
            let slot = slots
                .get_mut(i)
                .map(|at| core::mem::replace(at, Slot::Broken));
            let built = match slot {
                Some(Slot::Plain(Value::Object(map))) => {
                    Provider::build(name, map.clone(), None, Issue::warning)
                }
                Some(Slot::Plain(other)) => Err(vec![
                    Issue::warning(ErrorCode::ProviderInvalid, Vec::new())
                        .with_detail(Detail::Received(JsonType::of(other))),
                ]),
                Some(Slot::Resolved(map, target)) => {
                    Provider::build(name, map, Some(target), Issue::warning)
                }
                Some(Slot::Pending | Slot::Broken) | None => continue,
            };
            let prefix = [name.to_owned()];
            match built {
                Ok(provider) => {
                    issues.extend(
                        provider
                            .issues
                            .iter()
                            .map(|it| it.clone().prefixed(&prefix)),
                    );
                    catalogue
                        .by_name
                        .insert(name.to_owned(), catalogue.providers.len());
                    catalogue.providers.push(provider);
                }
                Err(found) => issues.extend(found.into_iter().map(|it| it.prefixed(&prefix))),
            }
        }
        catalogue.issues = issues;
        Ok(catalogue)
    }

    /// The provider named `name`, or `provider_unknown` (detail: the name).
    pub fn get(&self, name: &str) -> Result<&Provider, ValidationError> {
        self.find(name).ok_or_else(|| {
            fatal(vec![
                Issue::new(ErrorCode::ProviderUnknown, Vec::new())
                    .with_detail(Detail::Name(name.to_owned())),
            ])
        })
    }

    /// The provider named `name`, if any.
    pub fn find(&self, name: &str) -> Option<&Provider> {
        self.by_name.get(name).and_then(|&i| self.providers.get(i))
    }

    /// Every provider, in JavaScript key order (file order, integer-like names first).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Provider> {
        self.providers.iter()
    }

    /// Number of providers loaded.
    pub fn len(&self) -> usize {
        self.providers.len()
    }

    /// True if no provider was loaded.
    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    /// Warnings found while loading (paths start with the provider name).
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }
}

/// `{...target, ...own}` without `alias`, when the target holds a usable entry right now.
fn merge_alias(target: Option<&Slot<'_>>, own: &Map<String, Value>) -> Option<Map<String, Value>> {
    let mut merged = match target? {
        Slot::Plain(Value::Object(map)) => map.clone(),
        Slot::Resolved(map, _) => map.clone(),
        Slot::Plain(_) | Slot::Pending | Slot::Broken => return None,
    };
    for (key, value) in own.iter().filter(|(k, _)| k.as_str() != "alias") {
        merged.insert(key.clone(), value.clone());
    }
    Some(merged)
}

fn received(value: Option<&Value>) -> Detail {
    Detail::Received(value.map_or(JsonType::Undefined, JsonType::of))
}

/// Wraps issues that hold at least one error.
fn fatal(issues: Vec<Issue>) -> ValidationError {
    match ValidationError::from_issues(issues) {
        Err(err) => err,
        // Only reached if a caller passed warnings only; report the catalogue as unreadable.
        Ok(_) => fatal(vec![Issue::new(ErrorCode::CatalogueInvalid, Vec::new())]),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn codes(issues: &[Issue]) -> Vec<(&str, Vec<&str>)> {
        issues
            .iter()
            .map(|it| {
                (
                    it.code().as_str(),
                    it.path().iter().map(String::as_str).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn aliases_merge_shallowly_in_order() {
        let cat = Catalogue::from_json(&json!({
            "google": {"display_name": "Google", "auth_mode": "OAUTH2", "proxy": {"base_url": "g", "headers": {"a": "b"}}, "docs": "d"},
            "gcal": {"alias": "google", "display_name": "Calendar", "proxy": {"base_url": "c"}},
            "gcal-mcp": {"alias": "gcal", "display_name": "Calendar MCP"},
            "confluence": {"alias": "jira", "display_name": "Confluence"},
            "jira": {"display_name": "Jira", "auth_mode": "OAUTH2"},
        }))
        .unwrap_or_default();
        assert!(cat.issues().is_empty(), "{:?}", cat.issues());
        let gcal = cat.get("gcal").ok();
        assert_eq!(
            gcal.map(|p| p.json().get("proxy")),
            Some(Some(&json!({"base_url": "c"})))
        );
        assert_eq!(gcal.and_then(|p| p.json().get("alias")), None);
        assert_eq!(gcal.and_then(Provider::alias_of), Some("google"));
        assert_eq!(
            cat.find("gcal-mcp").map(|p| (p.display_name(), p.docs())),
            Some(("Calendar MCP", Some("d")))
        );
        assert_eq!(
            cat.find("confluence").map(|p| p.auth_mode().clone()),
            Some(AuthMode::OAuth2)
        );
        let keys: Vec<&String> = cat
            .find("gcal")
            .map(|p| p.json().keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["display_name", "auth_mode", "proxy", "docs"]);
    }

    #[test]
    fn broken_aliases_and_entries_are_skipped_with_warnings() {
        let cat = Catalogue::from_json(&json!({
            "a": {"alias": "b"}, "b": {"alias": "c"}, "c": {"display_name": "C", "auth_mode": "NONE"},
            "d": {"alias": "nope"}, "e": {"alias": 3}, "f": [], "g": {"display_name": "G"}, "h": {"alias": "h"},
        }))
        .unwrap_or_default();
        let names: Vec<&str> = cat.iter().map(Provider::name).collect();
        assert_eq!(names, ["b", "c"]);
        assert_eq!(
            codes(cat.issues()),
            [
                ("provider_alias_unknown", vec!["a", "alias"]),
                ("provider_alias_unknown", vec!["d", "alias"]),
                ("provider_invalid", vec!["e", "alias"]),
                ("provider_alias_unknown", vec!["h", "alias"]),
                ("provider_invalid", vec!["f"]),
                ("provider_invalid", vec!["g", "auth_mode"]),
            ]
        );
        assert!(
            cat.issues()
                .iter()
                .all(|it| it.severity() == crate::Severity::Warning)
        );
    }

    #[test]
    fn not_a_map_is_catalogue_invalid_and_unknown_names_are_errors() {
        for bad in [json!([]), json!(null), json!("x")] {
            let err = Catalogue::from_json(&bad)
                .err()
                .map(|e| e.issues().iter().map(|i| i.code()).collect::<Vec<_>>());
            assert_eq!(err, Some(vec![ErrorCode::CatalogueInvalid]));
        }
        let err = Catalogue::default()
            .get("x")
            .err()
            .map(|e| e.issues().iter().map(|i| i.code()).collect::<Vec<_>>());
        assert_eq!(err, Some(vec![ErrorCode::ProviderUnknown]));
    }

    #[test]
    fn typed_accessors() {
        let p = Provider::from_json(
            "adp",
            &json!({"display_name": "ADP", "auth_mode": "OAUTH2_CC", "require_client_certificate": true, "token_request_auth_method": "basic",
                    "installation": "outbound", "docs_connect": "https://d", "credentials": {"client_id": {"title": "Id"}}, "connection_config": 5}),
        );
        let p = p.ok();
        assert_eq!(
            p.as_ref().map(|p| (
                p.require_client_certificate(),
                p.token_request_auth_method(),
                p.installation()
            )),
            Some((true, Some("basic"), Some("outbound")))
        );
        assert_eq!(
            p.as_ref().map(|p| codes(p.issues())),
            Some(vec![("provider_invalid", vec!["connection_config"])])
        );
        let err = Provider::from_json("x", &json!({"auth_mode": 1}))
            .err()
            .map(|e| {
                codes(e.issues())
                    .into_iter()
                    .map(|(c, p)| (c.to_owned(), p.join(".")))
                    .collect::<Vec<_>>()
            });
        assert_eq!(
            err,
            Some(vec![
                ("provider_invalid".into(), "display_name".into()),
                ("provider_invalid".into(), "auth_mode".into())
            ])
        );
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn yaml_text_loads_and_bad_yaml_is_catalogue_invalid() {
        let cat = Catalogue::from_yaml_str("x:\n  display_name: X\n  auth_mode: API_KEY\n  credentials:\n    apiKey:\n      hidden: 'true'\n").unwrap_or_default();
        assert_eq!(
            cat.find("x")
                .map(|p| p.credentials().iter().map(|f| f.hidden).collect::<Vec<_>>()),
            Some(vec![true])
        );
        for bad in ["a: [", "- a\n- b", "", "a: 1\na: 2"] {
            let code = Catalogue::from_yaml_str(bad)
                .err()
                .map(|e| e.issues().iter().map(|i| i.code()).collect::<Vec<_>>());
            assert_eq!(code, Some(vec![ErrorCode::CatalogueInvalid]), "{bad:?}");
        }
    }
}

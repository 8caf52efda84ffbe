//! The integrations this server offers, read from `integrations.toml`: `[[integration]]` tables
//! with `unique_key`, `provider`, optional `display_name`, and for OAuth `client_id`,
//! `client_secret` and `scopes`.
//!
//! Keys are checked with core's integration-key rule and providers against the loaded catalogue.
//! Knows nothing about HTTP or storage.

use connkit_core::catalogue::Catalogue;
use connkit_core::ids::is_valid_integration_key;
use serde::Deserialize;

/// One integration (Nango's "provider config").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    /// The unique key clients use (`provider_config_key`).
    pub unique_key: String,
    /// The catalogue provider name.
    pub provider: String,
    /// A display name overriding the provider's.
    pub display_name: Option<String>,
    /// OAuth client id.
    pub client_id: Option<String>,
    /// OAuth client secret (never returned by the API).
    pub client_secret: Option<String>,
    /// OAuth scopes.
    pub scopes: Vec<String>,
    /// Nango's per-mode integration settings (`custom`), such as an AWS_SIGV4 integration's
    /// `service` and `stsEndpointUrl`; never returned by the API.
    pub custom: serde_json::Map<String, serde_json::Value>,
}

/// Every integration, ordered as Nango lists them: provider name, then file order.
#[derive(Debug, Clone, Default)]
pub struct Integrations {
    list: Vec<Integration>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    integration: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    unique_key: String,
    provider: String,
    display_name: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    custom: std::collections::BTreeMap<String, String>,
}

impl Integrations {
    /// Reads `integrations.toml` text, checking every entry against `catalogue`.
    pub fn from_toml(text: &str, catalogue: &Catalogue) -> Result<Integrations, String> {
        let file: File = toml::from_str(text).map_err(|err| err.to_string())?;
        let mut list: Vec<Integration> = Vec::with_capacity(file.integration.len());
        for entry in file.integration {
            if !is_valid_integration_key(&entry.unique_key) {
                return Err(format!(
                    "integration `{}`: unique_key must match ^[a-zA-Z0-9~:.@ _-]+$ (at most 255 characters)",
                    entry.unique_key
                ));
            }
            if list.iter().any(|i| i.unique_key == entry.unique_key) {
                return Err(format!(
                    "integration `{}` is defined twice",
                    entry.unique_key
                ));
            }
            if catalogue.find(&entry.provider).is_none() {
                return Err(format!(
                    "integration `{}`: provider `{}` is not in the provider catalogue",
                    entry.unique_key, entry.provider
                ));
            }
            list.push(Integration {
                unique_key: entry.unique_key,
                provider: entry.provider,
                display_name: entry.display_name,
                client_id: entry.client_id,
                client_secret: entry.client_secret,
                scopes: entry.scopes,
                custom: entry
                    .custom
                    .into_iter()
                    .map(|(k, v)| (k, serde_json::Value::String(v)))
                    .collect(),
            });
        }
        Ok(Integrations::new(list))
    }

    /// Integrations from a list (sorted by provider, keeping list order within a provider).
    pub fn new(mut list: Vec<Integration>) -> Integrations {
        list.sort_by(|a, b| a.provider.cmp(&b.provider));
        Integrations { list }
    }

    /// The integration with this unique key.
    pub fn get(&self, unique_key: &str) -> Option<&Integration> {
        self.list.iter().find(|i| i.unique_key == unique_key)
    }

    /// Every integration, in listing order.
    pub fn iter(&self) -> impl Iterator<Item = &Integration> {
        self.list.iter()
    }

    /// Number of integrations.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

//! What a connect session's `integrations_config_defaults[key]` does when its holder connects
//! that integration (spec §2.7): its `connection_config` is assigned over the end user's
//! `params` (session values win and keep their JSON type); for OAuth, its `user_scopes` replaces
//! the query's `user_scope`, its `authorization_params` replace the request's, and its
//! `connection_config.oauth_scopes_override` replaces the integration's scopes.
//!
//! Reads the stored defaults object as the session body validated it; knows nothing about
//! HTTP, providers or OAuth URLs.

use serde_json::{Map, Value};

use crate::prelude::*;

/// One integration's defaults, read from a session's `integrations_config_defaults`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuthDefaults {
    connection_config: Map<String, Value>,
    authorization_params: Option<Map<String, Value>>,
    user_scopes: Option<String>,
}

impl AuthDefaults {
    /// The defaults for integration `key` (none when the session has none for it).
    pub fn of(integrations_config_defaults: Option<&Value>, key: &str) -> AuthDefaults {
        let Some(Value::Object(defaults)) = integrations_config_defaults.and_then(|d| d.get(key))
        else {
            return AuthDefaults::default();
        };
        let object = |name: &str| match defaults.get(name) {
            Some(Value::Object(map)) => Some(map.clone()),
            _ => None,
        };
        AuthDefaults {
            connection_config: object("connection_config").unwrap_or_default(),
            authorization_params: object("authorization_params"),
            // `defaults?.user_scopes || undefined`: an empty string counts as none.
            user_scopes: defaults
                .get("user_scopes")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        }
    }

    /// `params` with the default `connection_config` assigned over it (`Object.assign`).
    pub fn connection_config(&self, mut params: Map<String, Value>) -> Map<String, Value> {
        for (name, value) in &self.connection_config {
            params.insert(name.clone(), value.clone());
        }
        params
    }

    /// The default `authorization_params`, when set: they replace the request's whole.
    pub fn authorization_params(&self) -> Option<&Map<String, Value>> {
        self.authorization_params.as_ref()
    }

    /// The default `user_scopes`: with a session, the only user scope an OAuth flow uses.
    pub fn user_scopes(&self) -> Option<&str> {
        self.user_scopes.as_deref()
    }

    /// `connection_config.oauth_scopes_override` (comma-separated), which replaces the
    /// integration's scopes when it is a non-empty string.
    pub fn oauth_scopes_override(&self) -> Option<&str> {
        self.connection_config
            .get("oauth_scopes_override")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn session_defaults_win_and_replace() {
        let stored = json!({"gh": {
            "connection_config": {"subdomain": "acme", "n": 3, "oauth_scopes_override": "a,b"},
            "authorization_params": {"prompt": "consent"},
            "user_scopes": "",
        }});
        let defaults = AuthDefaults::of(Some(&stored), "gh");
        let params = json!({"subdomain": "typed", "region": "eu"});
        let merged = defaults.connection_config(params.as_object().cloned().unwrap_or_default());
        assert_eq!(
            Value::Object(merged),
            json!({"subdomain": "acme", "region": "eu", "n": 3, "oauth_scopes_override": "a,b"})
        );
        assert_eq!(defaults.user_scopes(), None);
        assert_eq!(defaults.oauth_scopes_override(), Some("a,b"));
        assert_eq!(defaults.authorization_params().map(|m| m.len()), Some(1));
        assert_eq!(
            AuthDefaults::of(Some(&stored), "other"),
            AuthDefaults::default()
        );
        assert_eq!(AuthDefaults::of(None, "gh"), AuthDefaults::default());
    }
}

//! The normalised parts of a connect-session request as JSON, in Nango's names and key order:
//! what a server stores, what the npm package returns and what the vectors compare. Absent
//! optional fields are left out.
//!
//! Knows nothing about storage or transports.

use serde_json::{Map, Value};

use super::{
    ConnectSessionRequest, EndUser, IntegrationDefaults, IntegrationOverrides, Organization,
};

use crate::prelude::*;

fn pairs(items: &[(String, String)]) -> Value {
    Value::Object(
        items
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

impl EndUser {
    /// `{id, email?, display_name?, tags?}`.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), self.id().into());
        if let Some(email) = self.email() {
            m.insert("email".into(), email.into());
        }
        if let Some(name) = self.display_name() {
            m.insert("display_name".into(), name.into());
        }
        if let Some(tags) = self.tags() {
            m.insert("tags".into(), pairs(tags));
        }
        Value::Object(m)
    }
}

impl Organization {
    /// `{id, display_name?}`.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), self.id().into());
        if let Some(name) = self.display_name() {
            m.insert("display_name".into(), name.into());
        }
        Value::Object(m)
    }
}

impl IntegrationDefaults {
    /// `{user_scopes?, authorization_params?, connection_config?}`.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(scopes) = self.user_scopes() {
            m.insert("user_scopes".into(), scopes.into());
        }
        if let Some(params) = self.authorization_params() {
            m.insert("authorization_params".into(), pairs(params));
        }
        if let Some(config) = self.connection_config() {
            m.insert("connection_config".into(), Value::Object(config.clone()));
        }
        Value::Object(m)
    }
}

impl IntegrationOverrides {
    /// `{docs_connect?}`.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(docs) = self.docs_connect() {
            m.insert("docs_connect".into(), docs.into());
        }
        Value::Object(m)
    }
}

impl ConnectSessionRequest {
    /// `integrations_config_defaults` as an object keyed by integration, if given.
    pub fn integrations_config_defaults_json(&self) -> Option<Value> {
        let list = self.integrations_config_defaults()?;
        Some(Value::Object(
            list.iter().map(|(k, d)| (k.clone(), d.to_json())).collect(),
        ))
    }

    /// `overrides` as an object keyed by integration, if given.
    pub fn overrides_json(&self) -> Option<Value> {
        let list = self.overrides()?;
        Some(Value::Object(
            list.iter().map(|(k, o)| (k.clone(), o.to_json())).collect(),
        ))
    }
}

//! connkit's verdict on a POST /connect/sessions or /connect/sessions/reconnect body, or on a
//! PATCH /connections/:id body (Nango builds it from the same `end_user`, `tags` and
//! `webhook_url_override` schemas): every issue, with connkit codes and paths, or the normalised
//! [`ConnectSessionRequest`].
//!
//! Knows nothing about zod's messages or issue order (see `zod.rs`).

use serde_json::{Map, Value};

use crate::ids::{check_connection_id, check_integration_key};
use crate::nango::path_with;
use crate::prelude::*;
use crate::tags::{TagValueRef, Tags, validate_tag_entries, validate_tags};
use crate::{Detail, ErrorCode, Issue, JsonType, ValidationError};

use super::end_user::{
    TagSource, build_tags, js_entries, validate_end_user, validate_organization,
};
use super::fields::{
    WebhookUrl, expect_object, integration_record_key, optional_string, type_issue, unknown_keys,
    webhook_url,
};
use super::{ConnectSessionRequest, IntegrationDefaults, IntegrationOverrides, ReconnectTarget};

/// Which endpoint the body is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Endpoint {
    /// POST /connect/sessions.
    Create,
    /// POST /connect/sessions/reconnect.
    Reconnect,
    /// PATCH /connections/:connectionId.
    Patch,
}

impl Endpoint {
    /// The body's keys, in Nango's schema order.
    pub(super) fn keys(self) -> &'static [&'static str] {
        match self {
            Endpoint::Create => &[
                "end_user",
                "organization",
                "allowed_integrations",
                "integrations_config_defaults",
                "overrides",
                "webhook_url_override",
                "tags",
            ],
            Endpoint::Reconnect => &[
                "connection_id",
                "integration_id",
                "end_user",
                "organization",
                "integrations_config_defaults",
                "overrides",
                "webhook_url_override",
                "tags",
            ],
            Endpoint::Patch => &["end_user", "tags", "webhook_url_override"],
        }
    }
}

const DEFAULTS_KEYS: [&str; 3] = ["user_scopes", "authorization_params", "connection_config"];

fn p(key: &str) -> Vec<String> {
    vec![key.to_owned()]
}

/// Validates a body for `endpoint`.
pub(super) fn validate(
    body: &Value,
    endpoint: Endpoint,
) -> Result<ConnectSessionRequest, ValidationError> {
    let mut issues = Vec::new();
    let Some(map) = expect_object(body, &[], JsonType::Object, &mut issues) else {
        return Err(error(issues));
    };
    unknown_keys(map, endpoint.keys(), &[], &mut issues);
    // A key outside the endpoint's schema is only unknown, never validated as a field.
    let get = |key: &str| map.get(key).filter(|_| endpoint.keys().contains(&key));

    let reconnect = match endpoint {
        Endpoint::Create | Endpoint::Patch => None,
        Endpoint::Reconnect => {
            let connection_id =
                check_connection_id(get("connection_id"), p("connection_id"), &mut issues);
            let integration_id = match get("integration_id") {
                None => {
                    issues.push(required(p("integration_id"), JsonType::String));
                    None
                }
                v => check_integration_key(v, p("integration_id"), &mut issues),
            };
            connection_id
                .zip(integration_id)
                .map(|(c, i)| ReconnectTarget {
                    connection_id: c.to_owned(),
                    integration_id: i.to_owned(),
                })
        }
    };

    let before_people = issues.len();
    let end_user = match get("end_user") {
        // end_user may be left out only when tags are given (or on the other endpoints).
        None if endpoint == Endpoint::Create && !map.contains_key("tags") => {
            issues.push(required(p("end_user"), JsonType::Object));
            None
        }
        None => None,
        Some(v) => validate_end_user(v, &p("end_user"), &mut issues),
    };
    let organization =
        get("organization").and_then(|v| validate_organization(v, &p("organization"), &mut issues));
    let explicit_tags = match get("tags") {
        None => None,
        Some(v) => match validate_tags(v) {
            Ok(tags) => Some(tags),
            Err(err) => {
                let prefix = p("tags");
                issues.extend(err.into_issues().into_iter().map(|it| it.prefixed(&prefix)));
                None
            }
        },
    };
    let people_ok = issues.len() == before_people;

    let allowed_integrations = match endpoint {
        Endpoint::Reconnect => reconnect.as_ref().map(|r| vec![r.integration_id.clone()]),
        Endpoint::Create | Endpoint::Patch => get("allowed_integrations")
            .and_then(|v| allowed_integrations(v, &mut issues))
            .filter(|list| !list.is_empty()),
    };
    let mut hoisted: Vec<String> = Vec::new();
    let integrations_config_defaults = get("integrations_config_defaults")
        .and_then(|v| config_defaults(v, &mut hoisted, &mut issues));
    let overrides = get("overrides").and_then(|v| overrides(v, &mut issues));
    let webhook_url_override = match get("webhook_url_override") {
        // An explicit value (even "") wins over the deprecated nested field.
        Some(v) => match webhook_url(v, &p("webhook_url_override"), &mut issues) {
            Some(WebhookUrl::Url(url)) => Some(url),
            _ => None,
        },
        None => hoisted.into_iter().next(),
    };

    // The stored tags: {...generated, ...explicit}, re-validated (the count can overflow).
    let mut tags = Tags::default();
    if people_ok {
        // POST /connect/sessions builds the tags from the stored end user, which carries the
        // organization only when there is an end user; reconnect passes both as given; PATCH
        // has no organization.
        let organization = match endpoint {
            Endpoint::Create => organization.as_ref().filter(|_| end_user.is_some()),
            Endpoint::Reconnect | Endpoint::Patch => organization.as_ref(),
        };
        let generated = build_tags(&TagSource::of(end_user.as_ref(), organization));
        let mut merged: Vec<(String, String)> = generated.into_entries();
        for (k, v) in explicit_tags.iter().flat_map(Tags::iter) {
            match merged.iter_mut().find(|(mk, _)| mk == k) {
                Some(slot) => slot.1 = v.to_owned(),
                None => merged.push((k.to_owned(), v.to_owned())),
            }
        }
        // Collected first: the same iterator type as the other callers, so one compiled copy.
        let entries: Vec<(&str, TagValueRef<'_>)> = merged
            .iter()
            .map(|(k, v)| (k.as_str(), TagValueRef::Str(v.as_str())))
            .collect();
        match validate_tag_entries(entries.iter().copied()) {
            Ok(valid) => tags = valid,
            Err(err) => {
                let prefix = p("tags");
                issues.extend(err.into_issues().into_iter().map(|it| it.prefixed(&prefix)));
            }
        }
    }

    ValidationError::from_issues(issues)?;
    Ok(ConnectSessionRequest {
        reconnect,
        end_user,
        organization,
        allowed_integrations,
        integrations_config_defaults,
        overrides,
        webhook_url_override,
        explicit_tags,
        tags,
    })
}

fn error(issues: Vec<Issue>) -> ValidationError {
    match ValidationError::from_issues(issues) {
        Err(err) => err,
        Ok(_) => unreachable!("callers pass at least one error"),
    }
}

fn required(path: Vec<String>, expected: JsonType) -> Issue {
    Issue::new(ErrorCode::ValueRequired, path).with_detail(Detail::Expected {
        expected,
        received: JsonType::Undefined,
    })
}

fn allowed_integrations(value: &Value, issues: &mut Vec<Issue>) -> Option<Vec<String>> {
    let path = p("allowed_integrations");
    let Value::Array(items) = value else {
        issues.push(type_issue(path, JsonType::Array, value));
        return None;
    };
    let before = issues.len();
    let keys: Vec<String> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            check_integration_key(Some(item), path_with(&path, &i.to_string()), issues)
        })
        .map(str::to_owned)
        .collect();
    (issues.len() == before).then_some(keys)
}

fn config_defaults(
    value: &Value,
    hoisted: &mut Vec<String>,
    issues: &mut Vec<Issue>,
) -> Option<Vec<(String, IntegrationDefaults)>> {
    let path = p("integrations_config_defaults");
    let map = expect_object(value, &path, JsonType::Record, issues)?;
    let before = issues.len();
    constructor_key(map, &path, issues);
    let mut out = Vec::new();
    for (key, entry) in record_entries(map) {
        let entry_path = path_with(&path, key);
        integration_record_key(key, entry_path.clone(), issues);
        let Some(fields) = expect_object(entry, &entry_path, JsonType::Object, issues) else {
            continue;
        };
        unknown_keys(fields, &DEFAULTS_KEYS, &entry_path, issues);
        let user_scopes = optional_string(
            fields.get("user_scopes"),
            &path_with(&entry_path, "user_scopes"),
            usize::MAX,
            issues,
        );
        let authorization_params = fields.get("authorization_params").and_then(|v| {
            string_record(v, &path_with(&entry_path, "authorization_params"), issues)
        });
        let connection_config = fields.get("connection_config").and_then(|v| {
            connection_config(
                v,
                &path_with(&entry_path, "connection_config"),
                hoisted,
                issues,
            )
        });
        out.push((
            key.to_owned(),
            IntegrationDefaults {
                user_scopes: user_scopes.map(str::to_owned),
                authorization_params,
                connection_config,
            },
        ));
    }
    (issues.len() == before).then_some(out)
}

/// A record of strings (`authorization_params`).
fn string_record(
    value: &Value,
    path: &[String],
    issues: &mut Vec<Issue>,
) -> Option<Vec<(String, String)>> {
    let map = expect_object(value, path, JsonType::Record, issues)?;
    let before = issues.len();
    constructor_key(map, path, issues);
    let mut out = Vec::new();
    let entries = record_entries(map);
    let n = entries.len();
    for (k, v) in entries {
        match v {
            Value::String(s) => out.push((k.to_owned(), s.clone())),
            other => issues.push(type_issue(path_with(path, k), JsonType::String, other)),
        }
    }
    (out.len() == n && issues.len() == before).then_some(out)
}

/// `connection_config`: any keys; `oauth_scopes_override` must be a string; the deprecated
/// `webhook_url` is validated, removed, and its first non-empty value offered for hoisting.
fn connection_config(
    value: &Value,
    path: &[String],
    hoisted: &mut Vec<String>,
    issues: &mut Vec<Issue>,
) -> Option<Map<String, Value>> {
    let map = expect_object(value, path, JsonType::Object, issues)?;
    let before = issues.len();
    if let Some(v) = map.get("oauth_scopes_override").filter(|v| !v.is_string()) {
        issues.push(type_issue(
            path_with(path, "oauth_scopes_override"),
            JsonType::String,
            v,
        ));
    }
    let Some(deprecated) = map.get("webhook_url") else {
        return (issues.len() == before).then(|| map.clone());
    };
    if let Some(WebhookUrl::Url(url)) =
        webhook_url(deprecated, &path_with(path, "webhook_url"), issues)
    {
        hoisted.push(url);
    }
    let mut rest = map.clone();
    rest.shift_remove("webhook_url");
    (issues.len() == before && !rest.is_empty()).then_some(rest)
}

/// A record's entries as zod reads them: JavaScript key order, `__proto__` skipped (zod drops
/// it from the parsed value, so Nango never sees it).
///
/// A `constructor` key is reported (`key_unrecognized`) by [`constructor_key`]: zod treats such
/// an object as "not a record".
fn record_entries(map: &Map<String, Value>) -> Vec<(&str, &Value)> {
    js_entries(map)
        .into_iter()
        .filter(|(k, _)| *k != "__proto__")
        .collect()
}

/// `key_unrecognized` for an own `constructor` key of a record (zod 4.0.5 then rejects the whole
/// record as not a plain object).
fn constructor_key(map: &Map<String, Value>, path: &[String], issues: &mut Vec<Issue>) {
    if map.contains_key("constructor") {
        issues.push(
            Issue::new(ErrorCode::KeyUnrecognized, path_with(path, "constructor"))
                .with_detail(Detail::Name("constructor".to_owned())),
        );
    }
}

fn overrides(
    value: &Value,
    issues: &mut Vec<Issue>,
) -> Option<Vec<(String, IntegrationOverrides)>> {
    let path = p("overrides");
    let map = expect_object(value, &path, JsonType::Record, issues)?;
    let before = issues.len();
    constructor_key(map, &path, issues);
    let mut out = Vec::new();
    for (key, entry) in record_entries(map) {
        let entry_path = path_with(&path, key);
        integration_record_key(key, entry_path.clone(), issues);
        // Unknown keys are stripped, as zod's non-strict object does.
        let Some(fields) = expect_object(entry, &entry_path, JsonType::Object, issues) else {
            continue;
        };
        let docs_connect = optional_string(
            fields.get("docs_connect"),
            &path_with(&entry_path, "docs_connect"),
            usize::MAX,
            issues,
        );
        out.push((
            key.to_owned(),
            IntegrationOverrides {
                docs_connect: docs_connect.map(str::to_owned),
            },
        ));
    }
    (issues.len() == before).then_some(out)
}

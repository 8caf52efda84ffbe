//! Connect-session request bodies (spec §2.1, §2.2, §1.5, §1.6): POST /connect/sessions and
//! POST /connect/sessions/reconnect, validated into a normalised [`ConnectSessionRequest`] (with
//! the tags the session will store) or every [`Issue`](crate::Issue), plus the Nango projection
//! of the 400 `errors` list. The PATCH /connections/:id body (spec §6.4) is the same rules on
//! three of the keys (`end_user`, `tags`, `webhook_url_override`; end_user optional, no
//! organization), so it is validated here too.
//!
//! Rules: strict objects (unknown keys are `key_unrecognized` at the key); `end_user` (`id` 1–255,
//! `email` zod email and ≥ 5, `display_name` ≤ 255, `tags` as tags but empty values allowed and
//! keys kept) is required unless `tags` is given (never for reconnect); `organization` (`id`
//! 0–255, `display_name` ≤ 255); `tags` ([`crate::tags`]); `allowed_integrations` (unique keys,
//! `[]` = all); `integrations_config_defaults` and `overrides` keyed by unique keys;
//! `webhook_url_override` (`""` or an http(s) URL, not under nango.dev, normalised like zod's
//! `z.url()`); the deprecated `connection_config.webhook_url` validated, removed and hoisted.
//! Then `{...buildTagsFromEndUser(end_user, organization), ...tags}` must still be valid tags
//! (more than 10 keys → `tags_too_many` at `["tags"]`; Nango answers that case with a 500, the
//! server decides).
//!
//! Choices where Nango is silent or lax: `allowed_integrations: []` and the reconnect forcing are
//! normalised ([`ConnectSessionRequest::allowed_integrations`] is `None` for "all"); a
//! `webhook_url_override` of `""` is `None` (Nango stores null) but still blocks hoisting;
//! connkit accepts only `http`/`https` webhook URLs with ASCII hosts (zod accepts any scheme;
//! Nango's outbound-URL policy, which connkit does not model, rejects most of the rest); an
//! email shorter than 5 gets both `email_invalid` and `string_too_short`, as zod reports both;
//! record keys named `__proto__` are skipped (zod drops them) and `constructor` is
//! `key_unrecognized` (zod then rejects the whole record); POST /connect/sessions ignores
//! `organization` when generating tags for a body without `end_user` (Nango's HEAD builds them
//! from the stored end user), while reconnect uses both as given.
//!
//! What a stored session's defaults do at auth time (spec §2.7) is [`AuthDefaults`].
//!
//! Knows nothing about HTTP, plans, the database or which integrations exist (see
//! [`ConnectSessionRequest::nango_missing_integration_errors`]).

mod body;
mod defaults;
mod end_user;
mod fields;
mod json;
mod zod;
mod zod_len;

use serde_json::{Map, Value};

use crate::ValidationError;
use crate::nango::NangoIssue;
use crate::prelude::*;
use crate::tags::Tags;

pub use defaults::AuthDefaults;
pub use end_user::{EndUser, Organization};

use body::Endpoint;
use end_user::TagSource;

/// The connection a reconnect session is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconnectTarget {
    connection_id: String,
    integration_id: String,
}

impl ReconnectTarget {
    /// `connection_id`.
    pub fn connection_id(&self) -> &str {
        &self.connection_id
    }

    /// `integration_id` (the integration unique key).
    pub fn integration_id(&self) -> &str {
        &self.integration_id
    }
}

/// `integrations_config_defaults.<key>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationDefaults {
    user_scopes: Option<String>,
    authorization_params: Option<Vec<(String, String)>>,
    connection_config: Option<Map<String, Value>>,
}

impl IntegrationDefaults {
    /// `user_scopes`, if given.
    pub fn user_scopes(&self) -> Option<&str> {
        self.user_scopes.as_deref()
    }

    /// `authorization_params` in JavaScript key order, if given.
    pub fn authorization_params(&self) -> Option<&[(String, String)]> {
        self.authorization_params.as_deref()
    }

    /// `connection_config` without the deprecated `webhook_url` (`None` if it held nothing else).
    pub fn connection_config(&self) -> Option<&Map<String, Value>> {
        self.connection_config.as_ref()
    }
}

/// `overrides.<key>` (unknown keys stripped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationOverrides {
    docs_connect: Option<String>,
}

impl IntegrationOverrides {
    /// `docs_connect`, if given.
    pub fn docs_connect(&self) -> Option<&str> {
        self.docs_connect.as_deref()
    }
}

/// A valid, normalised connect-session request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectSessionRequest {
    reconnect: Option<ReconnectTarget>,
    end_user: Option<EndUser>,
    organization: Option<Organization>,
    allowed_integrations: Option<Vec<String>>,
    integrations_config_defaults: Option<Vec<(String, IntegrationDefaults)>>,
    overrides: Option<Vec<(String, IntegrationOverrides)>>,
    webhook_url_override: Option<String>,
    explicit_tags: Option<Tags>,
    tags: Tags,
}

impl ConnectSessionRequest {
    /// The connection being reconnected (reconnect bodies only).
    pub fn reconnect(&self) -> Option<&ReconnectTarget> {
        self.reconnect.as_ref()
    }

    /// `end_user`, if given.
    pub fn end_user(&self) -> Option<&EndUser> {
        self.end_user.as_ref()
    }

    /// `organization`, if given.
    pub fn organization(&self) -> Option<&Organization> {
        self.organization.as_ref()
    }

    /// The integrations the session may use; `None` means all (absent or `[]`). A reconnect
    /// session is limited to its `integration_id`. Duplicates are kept.
    pub fn allowed_integrations(&self) -> Option<&[String]> {
        self.allowed_integrations.as_deref()
    }

    /// `integrations_config_defaults` in JavaScript key order, if given.
    pub fn integrations_config_defaults(&self) -> Option<&[(String, IntegrationDefaults)]> {
        self.integrations_config_defaults.as_deref()
    }

    /// `overrides` in JavaScript key order, if given.
    pub fn overrides(&self) -> Option<&[(String, IntegrationOverrides)]> {
        self.overrides.as_deref()
    }

    /// True if some override sets a non-empty `docs_connect` (needs the plan's
    /// `can_override_docs_connect_url`, else Nango answers 403).
    pub fn overrides_docs_connect(&self) -> bool {
        self.overrides
            .iter()
            .flatten()
            .any(|(_, o)| o.docs_connect.as_deref().is_some_and(|d| !d.is_empty()))
    }

    /// The webhook URL override to store: the explicit one, else the first non-empty deprecated
    /// `connection_config.webhook_url`; `None` when absent or `""`.
    pub fn webhook_url_override(&self) -> Option<&str> {
        self.webhook_url_override.as_deref()
    }

    /// The top-level `tags` as given (normalised), if given.
    pub fn explicit_tags(&self) -> Option<&Tags> {
        self.explicit_tags.as_ref()
    }

    /// The tags the session stores: generated from end_user/organization, overridden by `tags`.
    pub fn tags(&self) -> &Tags {
        &self.tags
    }

    /// Every integration key the body references, with its path, in the order Nango checks them
    /// (`allowed_integrations`, then `integrations_config_defaults`, then `overrides`; reconnect
    /// bodies have no `allowed_integrations` of their own).
    pub fn integration_references(&self) -> Vec<(Vec<String>, &str)> {
        let mut out: Vec<(Vec<String>, &str)> = Vec::new();
        if self.reconnect.is_none() {
            for (i, key) in self.allowed_integrations.iter().flatten().enumerate() {
                out.push((vec!["allowed_integrations".to_owned(), i.to_string()], key));
            }
        }
        for (key, _) in self.integrations_config_defaults.iter().flatten() {
            out.push((
                vec!["integrations_config_defaults".to_owned(), key.clone()],
                key,
            ));
        }
        for (key, _) in self.overrides.iter().flatten() {
            out.push((vec!["overrides".to_owned(), key.clone()], key));
        }
        out
    }

    /// Nango's 400 `invalid_body` errors for referenced integrations that do not exist
    /// (`{"code":"custom","message":"Integration does not exist","path":[…]}`), given a lookup.
    pub fn nango_missing_integration_errors(
        &self,
        exists: impl Fn(&str) -> bool,
    ) -> Vec<NangoIssue> {
        self.integration_references()
            .into_iter()
            .filter(|(_, key)| !exists(key))
            .map(|(path, _)| NangoIssue::custom("Integration does not exist", path))
            .collect()
    }
}

/// Validates a POST /connect/sessions body, reporting every issue (paths like
/// `["end_user", "id"]`, `["allowed_integrations", "0"]`).
pub fn validate_connect_session(body: &Value) -> Result<ConnectSessionRequest, ValidationError> {
    body::validate(body, Endpoint::Create)
}

/// Validates a POST /connect/sessions/reconnect body, reporting every issue.
pub fn validate_reconnect_session(body: &Value) -> Result<ConnectSessionRequest, ValidationError> {
    body::validate(body, Endpoint::Reconnect)
}

/// The `errors` of Nango's 400 `invalid_body` for a POST /connect/sessions body, in zod's order
/// and words; `[]` when Nango's validation passes (the merged-tags overflow is a 500 later).
pub fn nango_connect_session_errors(body: &Value) -> Vec<NangoIssue> {
    zod::errors(body, Endpoint::Create)
}

/// [`nango_connect_session_errors`] for POST /connect/sessions/reconnect.
pub fn nango_reconnect_session_errors(body: &Value) -> Vec<NangoIssue> {
    zod::errors(body, Endpoint::Reconnect)
}

/// Validates a PATCH /connections/:connectionId body (spec §6.4): strict `{end_user?, tags?,
/// webhook_url_override?}`. [`ConnectSessionRequest::tags`] is then `{...buildTagsFromEndUser(
/// end_user, null), ...tags}`, what the connection's tags become when `end_user` or `tags` is
/// given.
pub fn validate_connection_patch(body: &Value) -> Result<ConnectSessionRequest, ValidationError> {
    body::validate(body, Endpoint::Patch)
}

/// [`nango_connect_session_errors`] for a PATCH /connections/:connectionId body.
pub fn nango_connection_patch_errors(body: &Value) -> Vec<NangoIssue> {
    zod::errors(body, Endpoint::Patch)
}

/// `buildTagsFromEndUser` (spec §1.5) on validated data: `end_user_id`, `end_user_email`,
/// `end_user_display_name`, `organization_id`, `organization_display_name` from non-empty
/// strings (truncated to 255 UTF-16 units), then `end_user.tags` (keys lowercased and truncated
/// to 64, invalid keys dropped, values truncated, empty values kept) overriding them — all of
/// them dropped if that makes more than 10 keys; if the result is not valid tags, the base tags
/// alone; if those are not valid either, `{}`. Never fails.
pub fn build_tags_from_end_user(
    end_user: Option<&EndUser>,
    organization: Option<&Organization>,
) -> Tags {
    end_user::build_tags(&TagSource::of(end_user, organization))
}

/// [`build_tags_from_end_user`] on raw JSON, reading fields as JavaScript would (`typeof ===
/// 'string'`; a falsy or non-object `end_user` / `organization` contributes nothing). For
/// endpoints that pass unvalidated or partially validated data (PATCH /connections).
pub fn build_tags_from_end_user_json(
    end_user: Option<&Value>,
    organization: Option<&Value>,
) -> Tags {
    end_user::build_tags(&TagSource::of_json(end_user, organization))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn issues(
        result: Result<ConnectSessionRequest, ValidationError>,
    ) -> Vec<(&'static str, Vec<String>)> {
        match result {
            Ok(_) => Vec::new(),
            Err(err) => err
                .issues()
                .iter()
                .map(|it| (it.code().as_str(), it.path().to_vec()))
                .collect(),
        }
    }

    fn path(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn end_user_is_required_unless_tags_are_given() {
        assert_eq!(
            issues(validate_connect_session(&json!({}))),
            [("value_required", path(&["end_user"]))]
        );
        assert!(issues(validate_connect_session(&json!({"tags": {}}))).is_empty());
        assert!(
            issues(validate_reconnect_session(
                &json!({"connection_id": "c", "integration_id": "g"})
            ))
            .is_empty()
        );
        let nango = nango_connect_session_errors(&json!({}));
        assert_eq!(
            nango.first().map(|i| i.message.as_str()),
            Some("Invalid input: expected object, received undefined")
        );
        assert!(nango_connect_session_errors(&json!({"tags": {}})).is_empty());
    }

    #[test]
    fn bad_email_gets_both_issues() {
        let body = json!({"end_user": {"id": "u", "email": "nope"}});
        assert_eq!(
            issues(validate_connect_session(&body)),
            [
                ("email_invalid", path(&["end_user", "email"])),
                ("string_too_short", path(&["end_user", "email"]))
            ]
        );
        let codes: Vec<&str> = nango_connect_session_errors(&body)
            .iter()
            .map(|i| i.code)
            .collect();
        assert_eq!(codes, ["invalid_format", "too_small"]);
    }

    #[test]
    fn tags_are_generated_merged_and_counted() {
        let req = validate_connect_session(&json!({
            "end_user": {"id": "u", "tags": {"Team": "a"}},
            "organization": {"id": "o"},
            "tags": {"END_USER_ID": "x"}
        }));
        let tags = req.map(|r| r.tags().to_json().to_string());
        assert_eq!(
            tags,
            Ok(json!({"end_user_id": "x", "organization_id": "o", "team": "a"}).to_string())
        );
        let six: serde_json::Map<String, serde_json::Value> =
            (0..6).map(|i| (format!("k{i}"), json!("v"))).collect();
        let body = json!({"end_user": {"id": "u", "email": "a@b.co", "display_name": "A"}, "organization": {"id": "o", "display_name": "O"}, "tags": six});
        assert_eq!(
            issues(validate_connect_session(&body)),
            [("tags_too_many", path(&["tags"]))]
        );
        assert!(nango_connect_session_errors(&body).is_empty());
    }

    #[test]
    fn webhook_urls_are_normalised_hoisted_and_checked() {
        let body = json!({"end_user": {"id": "u"}, "integrations_config_defaults": {"g": {"connection_config": {"webhook_url": "HTTPS://A.io"}}}});
        let req = validate_connect_session(&body);
        assert_eq!(
            req.as_ref().map(|r| r.webhook_url_override()),
            Ok(Some("https://a.io"))
        );
        let defaults = req
            .as_ref()
            .ok()
            .and_then(|r| r.integrations_config_defaults())
            .and_then(|d| d.first());
        assert_eq!(
            defaults.map(|(k, d)| (k.as_str(), d.connection_config().is_none())),
            Some(("g", true))
        );
        let bad = json!({"end_user": {"id": "u"}, "webhook_url_override": "https://x.nango.dev"});
        assert_eq!(
            issues(validate_connect_session(&bad)),
            [("webhook_url_nango_domain", path(&["webhook_url_override"]))]
        );
    }

    #[test]
    fn build_tags_truncates_and_falls_back() {
        let long = "é".repeat(300);
        let tags =
            build_tags_from_end_user_json(Some(&json!({"id": long, "tags": {"Note": ""}})), None);
        assert_eq!(
            tags.get("end_user_id").map(|v| v.chars().count()),
            Some(255)
        );
        assert_eq!(tags.len(), 1);
        assert!(
            build_tags_from_end_user_json(Some(&json!({"id": "u", "email": "bad"})), None)
                .is_empty()
        );
        assert!(build_tags_from_end_user_json(Some(&json!("x")), Some(&json!(null))).is_empty());
    }

    #[test]
    fn missing_integrations_use_nangos_paths() {
        let req = validate_connect_session(
            &json!({"end_user": {"id": "u"}, "allowed_integrations": ["a", "b"], "overrides": {"c": {}}}),
        );
        let errors = req
            .map(|r| r.nango_missing_integration_errors(|k| k == "a"))
            .unwrap_or_default();
        let paths: Vec<Vec<String>> = errors.into_iter().map(|e| e.path).collect();
        assert_eq!(
            paths,
            [
                path(&["allowed_integrations", "1"]),
                path(&["overrides", "c"])
            ]
        );
    }

    #[test]
    fn never_panics_and_never_accepts_what_nango_rejects() {
        let values = [
            json!(null),
            json!(1),
            json!(""),
            json!("x"),
            json!([]),
            json!({}),
            json!({"length": "x"}),
            json!(["a"]),
            json!("https://nango.dev"),
            json!("http://[::1"),
            json!("a@b.co"),
            json!({"a": ""}),
            json!({"A": "1", "a": "2"}),
        ];
        let keys = [
            "end_user",
            "organization",
            "tags",
            "allowed_integrations",
            "integrations_config_defaults",
            "overrides",
            "webhook_url_override",
            "connection_id",
            "integration_id",
            "x",
        ];
        let inner = [
            "id",
            "email",
            "display_name",
            "tags",
            "connection_config",
            "webhook_url",
            "docs_connect",
            "g",
            "__proto__",
        ];
        let mut seed: u64 = 7;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        for _ in 0..20_000 {
            let mut body = serde_json::Map::new();
            for _ in 0..next(5) {
                let key = keys.get(next(keys.len())).copied().unwrap_or("x");
                let mut obj = serde_json::Map::new();
                for _ in 0..next(4) {
                    let k = inner.get(next(inner.len())).copied().unwrap_or("g");
                    let mut deep = serde_json::Map::new();
                    deep.insert(
                        inner
                            .get(next(inner.len()))
                            .copied()
                            .unwrap_or("g")
                            .to_owned(),
                        values.get(next(values.len())).cloned().unwrap_or_default(),
                    );
                    let v = if next(3) == 0 {
                        serde_json::Value::Object(deep)
                    } else {
                        values.get(next(values.len())).cloned().unwrap_or_default()
                    };
                    obj.insert(k.to_owned(), v);
                }
                let v = if next(3) == 0 {
                    values.get(next(values.len())).cloned().unwrap_or_default()
                } else {
                    serde_json::Value::Object(obj)
                };
                body.insert(key.to_owned(), v);
            }
            let body = serde_json::Value::Object(body);
            let create = validate_connect_session(&body);
            assert!(
                create.is_err() || nango_connect_session_errors(&body).is_empty(),
                "{body}"
            );
            let reconnect = validate_reconnect_session(&body);
            assert!(
                reconnect.is_err() || nango_reconnect_session_errors(&body).is_empty(),
                "{body}"
            );
            let patch = validate_connection_patch(&body);
            assert!(
                patch.is_err() || nango_connection_patch_errors(&body).is_empty(),
                "{body}"
            );
        }
    }
}

//! The Nango projection of a connect-session body: the `errors` list of Nango's 400
//! `invalid_body`, in zod 4.0.5's order and words (verified against zod 4.0.5 running a copy of
//! Nango's schemas).
//!
//! zod facts reproduced: an object's fields are checked in schema order, then one
//! `unrecognized_keys` issue lists the unknown keys (JavaScript key order) at the object's path;
//! a string's checks all run (`email` then `min(5)`; `regex` then `max(255)`); a record key that
//! fails its schema gives `invalid_key` and its value is not checked; `__proto__` record keys
//! are skipped; `webhook_url_override` is `union([url(), literal('')])` (`invalid_union`, "Invalid
//! input") refined by the nango.dev check on the normalised URL. POST /connect/sessions parses a
//! second schema (end_user optional, tags required) when the first fails on an object that has
//! `tags` but no `end_user`, which amounts to "end_user is required unless `tags` is a key".
//! After a successful parse the deprecated `connection_config.webhook_url` values are checked;
//! their issues (the only ones then) carry the suffix
//! ". Note: connection_config.webhook_url is deprecated; use top-level webhook_url_override instead."
//! (after zod's own final period, hence `..` for the nango.dev message).
//!
//! Knows nothing about connkit's own codes.

use serde_json::{Map, Value};

use crate::JsonType;
use crate::email::is_valid_email;
use crate::ids::{
    is_valid_integration_key, nango_connection_id_errors, nango_integration_key_errors,
};
use crate::js::js_len;
use crate::js::url::{Host, ParsedUrl, parse};
use crate::limits::{CONNECTION_ID_MAX_LEN, EMAIL_MIN_LEN, NAME_MAX_LEN};
use crate::nango::{
    LenCheck, NangoIssue, length_quirks, path_with, record_object, unrecognized_keys_of,
};
use crate::prelude::*;

use super::body::Endpoint;
use super::end_user::js_entries;
use super::fields::is_nango_host;
use super::zod_len::nango_end_user_tags_exact;
use crate::tags::nango_tag_errors;

const NANGO_DOMAIN: &str = "Webhook URLs cannot point to Nango's domain (nango.dev).";
const DEPRECATION_NOTE: &str = ". Note: connection_config.webhook_url is deprecated; use top-level webhook_url_override instead.";

type Out = Vec<NangoIssue>;

fn p(key: &str) -> Vec<String> {
    vec![key.to_owned()]
}

/// zod's name for a JSON value's type.
fn type_of(v: Option<&Value>) -> JsonType {
    v.map_or(JsonType::Undefined, JsonType::of)
}

/// The errors Nango returns for `body` at `endpoint`; `[]` when it passes validation. Fields are
/// checked in the schema's order ([`Endpoint::keys`]); keys outside the schema are only unknown.
pub(super) fn errors(body: &Value, endpoint: Endpoint) -> Out {
    let map = match NangoIssue::expect_object(body) {
        Ok(map) => map,
        Err(issues) => return issues,
    };
    let mut out = Vec::new();
    for &key in endpoint.keys() {
        let path = p(key);
        match (key, map.get(key)) {
            ("connection_id", v) => {
                id_string(
                    v,
                    path,
                    nango_connection_id_errors,
                    CONNECTION_ID_MAX_LEN,
                    &mut out,
                );
            }
            ("integration_id", v) => {
                id_string(
                    v,
                    path,
                    nango_integration_key_errors,
                    NAME_MAX_LEN,
                    &mut out,
                );
            }
            // POST /connect/sessions parses a second schema (end_user optional) when the body
            // has `tags`; the other endpoints never require end_user.
            ("end_user", None) if endpoint == Endpoint::Create && !map.contains_key("tags") => {
                out.push(NangoIssue::invalid_type(
                    JsonType::Object,
                    JsonType::Undefined,
                    path,
                ));
            }
            (_, None) => {}
            ("end_user", Some(v)) => end_user(v, &path, &mut out),
            ("organization", Some(v)) => organization(v, &path, &mut out),
            ("allowed_integrations", Some(v)) => allowed_integrations(v, &mut out),
            ("integrations_config_defaults", Some(v)) => {
                record(v, &path, &mut out, config_defaults);
            }
            ("overrides", Some(v)) => record(v, &path, &mut out, overrides),
            ("webhook_url_override", Some(v)) => out.extend(webhook_url(v, path)),
            ("tags", Some(v)) => out.extend(nango_tag_errors(v, &path)),
            (_, Some(_)) => {}
        }
    }
    out.extend(unrecognized_keys_of(map, endpoint.keys(), &[]));
    if out.is_empty() {
        deprecated_webhook_urls(map, &mut out);
    }
    out
}

/// `z.string()` with `.max(max)` then `.min(min)` when given (the order of Nango's schemas);
/// absent is fine when `optional`. A non-string gets `invalid_type`, then zod's length quirk.
fn string(
    v: Option<&Value>,
    path: Vec<String>,
    min: Option<usize>,
    max: Option<usize>,
    optional: bool,
    out: &mut Out,
) {
    match v {
        None if optional => {}
        Some(Value::String(s)) => {
            let len = js_len(s);
            if let Some(max) = max.filter(|m| len > *m) {
                out.push(NangoIssue::string_too_big(max, path.clone()));
            }
            if let Some(min) = min.filter(|m| len < *m) {
                out.push(NangoIssue::string_too_small(min, path));
            }
        }
        other => {
            out.push(NangoIssue::invalid_type(
                JsonType::String,
                type_of(other),
                path.clone(),
            ));
            let checks: Vec<LenCheck> = max
                .map(|m| LenCheck::Max(m, None))
                .into_iter()
                .chain(min.map(LenCheck::Min))
                .collect();
            if let Some(value) = other {
                out.extend(length_quirks(value, &checks, &path));
            }
        }
    }
}

/// A required id, `z.string().regex(pattern).max(max)`: `errors` gives Nango's issues for a
/// string (`crate::ids`); a non-string gets `invalid_type`, then zod's length quirk.
fn id_string(
    v: Option<&Value>,
    path: Vec<String>,
    errors: fn(&str, &[String]) -> Vec<NangoIssue>,
    max: usize,
    out: &mut Out,
) {
    match v {
        Some(Value::String(s)) => out.extend(errors(s, &path)),
        other => {
            out.push(NangoIssue::invalid_type(
                JsonType::String,
                type_of(other),
                path.clone(),
            ));
            if let Some(value) = other {
                out.extend(length_quirks(value, &[LenCheck::Max(max, None)], &path));
            }
        }
    }
}

/// A strict object: fields checked by `fields`, then unknown keys.
fn strict_object(
    v: &Value,
    path: &[String],
    allowed: &[&str],
    out: &mut Out,
    fields: impl FnOnce(&Map<String, Value>, &mut Out),
) {
    match v {
        Value::Object(map) => {
            fields(map, out);
            out.extend(unrecognized_keys_of(map, allowed, path));
        }
        other => out.push(NangoIssue::invalid_type(
            JsonType::Object,
            JsonType::of(other),
            path.to_vec(),
        )),
    }
}

fn end_user(v: &Value, path: &[String], out: &mut Out) {
    strict_object(
        v,
        path,
        &["id", "email", "display_name", "tags"],
        out,
        |m, out| {
            string(
                m.get("id"),
                path_with(path, "id"),
                Some(1),
                Some(NAME_MAX_LEN),
                false,
                out,
            );
            match m.get("email") {
                None => {}
                Some(Value::String(s)) => {
                    if !is_valid_email(s) {
                        out.push(NangoIssue::invalid_email(path_with(path, "email")));
                    }
                    if js_len(s) < EMAIL_MIN_LEN {
                        out.push(NangoIssue::string_too_small(
                            EMAIL_MIN_LEN,
                            path_with(path, "email"),
                        ));
                    }
                }
                Some(other) => {
                    out.push(NangoIssue::invalid_type(
                        JsonType::String,
                        JsonType::of(other),
                        path_with(path, "email"),
                    ));
                    out.extend(length_quirks(
                        other,
                        &[LenCheck::Min(EMAIL_MIN_LEN)],
                        &path_with(path, "email"),
                    ));
                }
            }
            string(
                m.get("display_name"),
                path_with(path, "display_name"),
                None,
                Some(NAME_MAX_LEN),
                true,
                out,
            );
            if let Some(tags) = m.get("tags") {
                out.extend(nango_end_user_tags_exact(tags, &path_with(path, "tags")));
            }
        },
    );
}

fn organization(v: &Value, path: &[String], out: &mut Out) {
    strict_object(v, path, &["id", "display_name"], out, |m, out| {
        string(
            m.get("id"),
            path_with(path, "id"),
            Some(0),
            Some(NAME_MAX_LEN),
            false,
            out,
        );
        string(
            m.get("display_name"),
            path_with(path, "display_name"),
            None,
            Some(NAME_MAX_LEN),
            true,
            out,
        );
    });
}

fn allowed_integrations(v: &Value, out: &mut Out) {
    let path = p("allowed_integrations");
    let Value::Array(items) = v else {
        out.push(NangoIssue::invalid_type(
            JsonType::Array,
            JsonType::of(v),
            path,
        ));
        return;
    };
    for (i, item) in items.iter().enumerate() {
        id_string(
            Some(item),
            path_with(&path, &i.to_string()),
            nango_integration_key_errors,
            NAME_MAX_LEN,
            out,
        );
    }
}

/// `z.record(providerConfigKeySchema, value)`: `invalid_key` for a bad key (value skipped).
fn record(v: &Value, path: &[String], out: &mut Out, value: fn(&Value, &[String], &mut Out)) {
    let Some(map) = record_object(v, path, out) else {
        return;
    };
    for (key, entry) in js_entries(map) {
        if key == "__proto__" {
            continue;
        }
        let entry_path = path_with(path, key);
        if !is_valid_integration_key(key) {
            out.push(NangoIssue::invalid_key(entry_path));
            continue;
        }
        value(entry, &entry_path, out);
    }
}

fn config_defaults(v: &Value, path: &[String], out: &mut Out) {
    strict_object(
        v,
        path,
        &["user_scopes", "authorization_params", "connection_config"],
        out,
        |m, out| {
            string(
                m.get("user_scopes"),
                path_with(path, "user_scopes"),
                None,
                None,
                true,
                out,
            );
            if let Some(params) = m.get("authorization_params") {
                let params_path = path_with(path, "authorization_params");
                if let Some(pm) = record_object(params, &params_path, out) {
                    for (k, pv) in js_entries(pm) {
                        if k != "__proto__" && !pv.is_string() {
                            out.push(NangoIssue::invalid_type(
                                JsonType::String,
                                JsonType::of(pv),
                                path_with(&params_path, k),
                            ));
                        }
                    }
                }
            }
            if let Some(cc) = m.get("connection_config") {
                let cc_path = path_with(path, "connection_config");
                match cc {
                    Value::Object(cm) => {
                        string(
                            cm.get("oauth_scopes_override"),
                            path_with(&cc_path, "oauth_scopes_override"),
                            None,
                            None,
                            true,
                            out,
                        );
                    }
                    other => out.push(NangoIssue::invalid_type(
                        JsonType::Object,
                        JsonType::of(other),
                        cc_path,
                    )),
                }
            }
        },
    );
}

fn overrides(v: &Value, path: &[String], out: &mut Out) {
    match v {
        Value::Object(m) => string(
            m.get("docs_connect"),
            path_with(path, "docs_connect"),
            None,
            None,
            true,
            out,
        ),
        other => out.push(NangoIssue::invalid_type(
            JsonType::Object,
            JsonType::of(other),
            path.to_vec(),
        )),
    }
}

/// Nango's `webhookUrlSchema` on a present value.
fn webhook_url(v: &Value, path: Vec<String>) -> Option<NangoIssue> {
    let Value::String(s) = v else {
        return Some(NangoIssue::invalid_union(path));
    };
    if s.is_empty() {
        return None;
    }
    let Some(parsed) = parse(s) else {
        return Some(NangoIssue::invalid_union(path));
    };
    let hostname = match parsed {
        // zod keeps the normalised href; re-parsing it in the refine gives the same host.
        ParsedUrl::Special(u) => match u.host {
            Host::Ascii(h) | Host::NonAscii(h) => h,
        },
        ParsedUrl::Other { hostname } => hostname,
    };
    is_nango_host(&hostname).then(|| NangoIssue::custom(NANGO_DOMAIN, path))
}

/// `mapDeprecatedConnectionConfigWebhookUrl`'s validation of nested `webhook_url` values.
fn deprecated_webhook_urls(map: &Map<String, Value>, out: &mut Out) {
    let Some(Value::Object(defaults)) = map.get("integrations_config_defaults") else {
        return;
    };
    for (key, entry) in js_entries(defaults) {
        if key == "__proto__" {
            continue;
        }
        let Some(url) = entry
            .get("connection_config")
            .and_then(|cc| cc.get("webhook_url"))
        else {
            continue;
        };
        let path = vec![
            "integrations_config_defaults".to_owned(),
            key.to_owned(),
            "connection_config".to_owned(),
            "webhook_url".to_owned(),
        ];
        if let Some(issue) = webhook_url(url, path) {
            out.push(NangoIssue::new(
                issue.code,
                format!("{}{DEPRECATION_NOTE}", issue.message),
                issue.path,
            ));
        }
    }
}

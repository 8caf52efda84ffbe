//! Connection metadata (spec §6.5): free JSON for the app, stored on a connection.
//!
//! Rules: metadata is a JSON object (not an array, not `null`; values are any JSON); *set*
//! replaces it, *update* merges it shallowly (`{...existing, ...patch}`, `null` values kept as
//! `null`, not deleted); the compact JSON must fit
//! [`METADATA_MAX_BYTES`] (a connkit limit: Nango has only
//! its 75 MB body limit). Keys that look like credentials, at any depth up to 16 levels, get a
//! warning ([`is_credential_like_key`]; Nango's docs: credentials never go into metadata). Also
//! the shape of the metadata endpoints' body, `{connection_id, provider_config_key, metadata}`
//! (ids checked with [`crate::ids`]), with its Nango projection ([`nango_metadata_request_errors`],
//! `zod.rs`).
//!
//! Knows nothing about storage or HTTP status codes.

mod zod;

use serde_json::{Map, Value};

use crate::ids::{check_connection_id, check_integration_key};
use crate::limits::METADATA_MAX_BYTES;
use crate::nango::NangoIssue;
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue, JsonType, ValidationError};

/// Valid metadata, with the warnings found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    value: Map<String, Value>,
    warnings: Vec<Issue>,
}

impl Metadata {
    /// The metadata object.
    pub fn value(&self) -> &Map<String, Value> {
        &self.value
    }

    /// Warning-severity issues (credential-like keys).
    pub fn warnings(&self) -> &[Issue] {
        &self.warnings
    }

    /// Consumes the metadata, giving the object.
    pub fn into_value(self) -> Map<String, Value> {
        self.value
    }
}

/// Validates metadata to *set* (replace) on a connection.
///
/// Issues: `metadata_not_object` at `[]` (detail: the type received), `metadata_too_large` at
/// `[]` (detail: the limit); warnings: `metadata_key_credential_like` at the key's path.
pub fn validate_metadata(input: &Value) -> Result<Metadata, ValidationError> {
    match input {
        Value::Object(map) => check_object(map.clone()),
        other => Err(error(
            Issue::new(ErrorCode::MetadataNotObject, Vec::new())
                .with_detail(Detail::Received(JsonType::of(other))),
        )),
    }
}

/// The metadata an *update* produces: `patch` merged shallowly over `existing` (top-level keys
/// replaced wholesale, `null` values stored as `null`), checked like a *set*: the size limit and
/// the warnings apply to the merged object, which is what gets stored.
pub fn merge_metadata(
    existing: &Map<String, Value>,
    patch: &Value,
) -> Result<Metadata, ValidationError> {
    let patch = validate_metadata(patch)?;
    let mut merged = existing.clone();
    for (key, value) in patch.value {
        merged.insert(key, value);
    }
    check_object(merged)
}

fn check_object(map: Map<String, Value>) -> Result<Metadata, ValidationError> {
    let mut issues = Vec::new();
    let size = json_size(&map);
    if size > METADATA_MAX_BYTES {
        issues.push(
            Issue::new(ErrorCode::MetadataTooLarge, Vec::new())
                .with_detail(Detail::Limit(METADATA_MAX_BYTES)),
        );
    }
    let mut path = Vec::new();
    credential_like_keys(&map, &mut path, 0, &mut issues);
    let warnings = ValidationError::from_issues(issues)?;
    Ok(Metadata {
        value: map,
        warnings,
    })
}

/// The length of the compact JSON text of `value`, in UTF-8 bytes.
fn json_size(value: &Map<String, Value>) -> usize {
    serde_json::to_vec(value).map_or(usize::MAX, |text| text.len())
}

/// How deep nested objects and arrays are searched for credential-like keys. Deeper values are
/// not inspected: the bound keeps the walk cheap and its recursion shallow on any input.
const MAX_WARNING_DEPTH: usize = 16;

/// Adds a `metadata_key_credential_like` warning for every credential-like key of `map`, and of
/// the objects nested in it (through arrays too, with the index as a path element).
fn credential_like_keys(
    map: &Map<String, Value>,
    path: &mut Vec<String>,
    depth: usize,
    out: &mut Vec<Issue>,
) {
    for (key, value) in map {
        path.push(key.clone());
        if is_credential_like_key(key) {
            out.push(Issue::warning(
                ErrorCode::MetadataKeyCredentialLike,
                path.clone(),
            ));
        }
        nested_credential_like_keys(value, path, depth, out);
        path.pop();
    }
}

fn nested_credential_like_keys(
    value: &Value,
    path: &mut Vec<String>,
    depth: usize,
    out: &mut Vec<Issue>,
) {
    if depth >= MAX_WARNING_DEPTH {
        return;
    }
    match value {
        Value::Object(inner) => credential_like_keys(inner, path, depth + 1, out),
        Value::Array(items) => {
            for (idx, item) in items.iter().enumerate() {
                path.push(idx.to_string());
                nested_credential_like_keys(item, path, depth + 1, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Secret words: a key whose letters-only lowercase form ends with one of them looks like a
/// credential. `token` is deliberately not pluralised (`max_tokens` counts tokens).
const SECRET_SUFFIXES: &[&str] = &[
    "password",
    "passwords",
    "passwd",
    "passphrase",
    "secret",
    "secrets",
    "secretkey",
    "secretaccesskey",
    "token",
    "apikey",
    "apikeys",
    "privatekey",
    "signingkey",
    "credential",
    "credentials",
];

/// Tokens that are pagination or sync cursors, not secrets.
const CURSOR_SUFFIXES: &[&str] = &[
    "pagetoken",
    "paginationtoken",
    "nexttoken",
    "synctoken",
    "deltatoken",
    "continuationtoken",
    "cursortoken",
    "resumetoken",
];

/// True if a metadata key looks like it names a credential (a warning, never an error).
///
/// The key is reduced to its ASCII letters, lowercased (`API_Key-2` → `apikey`), and flagged when
/// that form is `pwd` or ends with a secret word: `password(s)`, `passwd`, `passphrase`,
/// `secret(s)`, `secretkey`, `secretaccesskey`, `token`, `apikey(s)`, `privatekey`, `signingkey`,
/// `credential(s)`. So `password`, `api_key`, `apiKey`, `client_secret`, `accessToken`,
/// `refresh_token`, `id_token`, `PRIVATE-KEY`, `aws_secret_access_key` and `stripeSecrets` are
/// flagged. Left alone: words that merely start with or contain a secret word (`token_count`,
/// `token_type`, `secretary`, `password_updated_at`, `api_key_id`), `max_tokens`, and
/// pagination/sync cursors ending in `page_token`, `pagination_token`, `next_token`,
/// `sync_token`, `delta_token`, `continuation_token`, `cursor_token` or `resume_token`.
pub fn is_credential_like_key(key: &str) -> bool {
    let norm: String = key
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if CURSOR_SUFFIXES.iter().any(|c| norm.ends_with(c)) {
        return false;
    }
    norm == "pwd" || SECRET_SUFFIXES.iter().any(|s| norm.ends_with(s))
}

/// A valid metadata endpoint body (`POST`/`PATCH /connections/metadata`).
#[derive(Debug, Clone, PartialEq)]
pub struct MetadataRequest {
    connection_ids: Vec<String>,
    ids_were_array: bool,
    provider_config_key: String,
    metadata: Metadata,
}

impl MetadataRequest {
    /// The connection ids, in the order given.
    pub fn connection_ids(&self) -> &[String] {
        &self.connection_ids
    }

    /// True if `connection_id` was sent as an array. (Nango's 404 `unknown_connection` message
    /// adds "No actions were taken on any of the connections…" when more than one id was sent,
    /// i.e. when `connection_ids().len() > 1`, whatever the shape.)
    pub fn ids_were_array(&self) -> bool {
        self.ids_were_array
    }

    /// The integration's unique key.
    pub fn provider_config_key(&self) -> &str {
        &self.provider_config_key
    }

    /// The metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }
}

/// Validates `{connection_id: id | id[], provider_config_key, metadata}` (strict), the body of
/// `POST` (set) and `PATCH` (update) `/connections/metadata`. `[]` is accepted (Nango: a no-op).
///
/// Issues, every one at once: `value_type_invalid` at `[]` if the body is not an object;
/// `value_required`, `value_type_invalid`, `string_empty`, `string_too_long` (detail: 255) or
/// `connection_id_invalid` at `["connection_id"]` or `["connection_id", index]`; the same with
/// `integration_key_invalid` at `["provider_config_key"]`; `value_required` or the
/// [`validate_metadata`] issues under `["metadata"]`; `key_unrecognized` at each unknown key.
/// Warnings (credential-like keys) are paths under `["metadata"]`.
pub fn validate_metadata_request(input: &Value) -> Result<MetadataRequest, ValidationError> {
    let Value::Object(body) = input else {
        let detail = Detail::Expected {
            expected: JsonType::Object,
            received: JsonType::of(input),
        };
        return Err(error(
            Issue::new(ErrorCode::ValueTypeInvalid, Vec::new()).with_detail(detail),
        ));
    };
    let mut issues = Vec::new();
    let id_path = |suffix: Option<usize>| {
        let mut path = vec!["connection_id".to_owned()];
        path.extend(suffix.map(|idx| idx.to_string()));
        path
    };
    let check_conn_id = |value: Option<&Value>, path: Vec<String>, issues: &mut Vec<Issue>| {
        check_connection_id(value, path, issues).map(str::to_owned)
    };
    let (connection_ids, ids_were_array) = match body.get("connection_id") {
        Some(Value::Array(items)) => {
            let ids = items
                .iter()
                .enumerate()
                .filter_map(|(idx, item)| {
                    check_conn_id(Some(item), id_path(Some(idx)), &mut issues)
                })
                .collect();
            (ids, true)
        }
        other => (
            check_conn_id(other, id_path(None), &mut issues)
                .into_iter()
                .collect(),
            false,
        ),
    };
    let key = check_integration_key(
        body.get("provider_config_key"),
        vec!["provider_config_key".to_owned()],
        &mut issues,
    )
    .map(str::to_owned);
    let metadata = match body.get("metadata") {
        None => {
            let detail = Detail::Expected {
                expected: JsonType::Record,
                received: JsonType::Undefined,
            };
            issues.push(
                Issue::new(ErrorCode::ValueRequired, vec!["metadata".to_owned()])
                    .with_detail(detail),
            );
            None
        }
        Some(value) => match validate_metadata(value) {
            Ok(metadata) => Some(metadata),
            Err(err) => {
                let prefix = ["metadata".to_owned()];
                issues.extend(err.into_issues().into_iter().map(|it| it.prefixed(&prefix)));
                None
            }
        },
    };
    for key in body.keys().filter(|k| {
        !matches!(
            k.as_str(),
            "connection_id" | "provider_config_key" | "metadata"
        )
    }) {
        issues.push(
            Issue::new(ErrorCode::KeyUnrecognized, vec![key.clone()])
                .with_detail(Detail::Name(key.clone())),
        );
    }
    let warnings = ValidationError::from_issues(issues)?;
    match (key, metadata) {
        (Some(provider_config_key), Some(mut metadata)) => {
            let prefix = ["metadata".to_owned()];
            metadata.warnings = metadata
                .warnings
                .into_iter()
                .map(|it| it.prefixed(&prefix))
                .collect();
            metadata.warnings.extend(warnings);
            Ok(MetadataRequest {
                connection_ids,
                ids_were_array,
                provider_config_key,
                metadata,
            })
        }
        // Unreachable in practice: a missing part always leaves an error issue.
        _ => Err(error(Issue::new(ErrorCode::ValueRequired, Vec::new()))),
    }
}

/// The `errors` of Nango's 400 `invalid_body` for a metadata endpoint body, in zod's order and
/// words; `[]` when Nango's validation passes (the size limit is connkit's alone).
pub fn nango_metadata_request_errors(input: &Value) -> Vec<NangoIssue> {
    zod::errors(input)
}

fn error(issue: Issue) -> ValidationError {
    match ValidationError::from_issues(vec![issue]) {
        Err(err) => err,
        Ok(_) => unreachable!("callers pass error-severity issues"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes(issues: &[Issue]) -> Vec<(ErrorCode, Vec<String>)> {
        issues
            .iter()
            .map(|it| (it.code(), it.path().to_vec()))
            .collect()
    }

    fn path(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| (*p).to_owned()).collect()
    }

    #[test]
    fn update_merges_shallowly_and_keeps_nulls() {
        let existing = json!({"a": 1, "nested": {"x": 1}, "b": 2});
        let merged = merge_metadata(
            existing.as_object().unwrap(),
            &json!({"nested": {"y": 2}, "b": null}),
        )
        .unwrap();
        assert_eq!(
            Value::Object(merged.into_value()),
            json!({"a": 1, "nested": {"y": 2}, "b": null})
        );
    }

    #[test]
    fn non_objects_are_rejected() {
        for bad in [json!([]), json!(null), json!("x"), json!(1)] {
            let err = validate_metadata(&bad).unwrap_err();
            assert_eq!(
                codes(err.issues()),
                [(ErrorCode::MetadataNotObject, Vec::new())]
            );
        }
    }

    #[test]
    fn credential_heuristic() {
        for yes in [
            "password",
            "api_key",
            "apiKey",
            "API_Key-2",
            "client_secret",
            "accessToken",
            "refresh_token",
            "id_token",
            "PRIVATE-KEY",
            "aws_secret_access_key",
            "stripeSecrets",
            "credentials",
            "pwd",
        ] {
            assert!(is_credential_like_key(yes), "{yes}");
        }
        for no in [
            "token_count",
            "token_type",
            "max_tokens",
            "next_page_token",
            "nextToken",
            "syncToken",
            "secretary",
            "password_updated_at",
            "api_key_id",
            "user_id",
            "keyboard",
        ] {
            assert!(!is_credential_like_key(no), "{no}");
        }
    }

    #[test]
    fn warnings_reach_into_nested_objects_and_arrays() {
        let meta =
            json!({"ok": 1, "accounts": [{"name": "a", "api_key": "k"}], "x": {"token": "t"}});
        let got = validate_metadata(&meta).unwrap();
        let mut found = codes(got.warnings());
        found.sort();
        let warn = ErrorCode::MetadataKeyCredentialLike;
        assert_eq!(
            found,
            [
                (warn, path(&["accounts", "0", "api_key"])),
                (warn, path(&["x", "token"])),
            ]
        );
        assert!(
            got.warnings()
                .iter()
                .all(|w| w.severity() == crate::Severity::Warning)
        );
    }

    #[test]
    fn size_limit_counts_compact_json_bytes() {
        let big = json!({"k": "x".repeat(METADATA_MAX_BYTES)});
        let err = validate_metadata(&big).unwrap_err();
        assert_eq!(
            codes(err.issues()),
            [(ErrorCode::MetadataTooLarge, Vec::new())]
        );
        // {"k":"…"} is 8 bytes around the value.
        let fits = json!({"k": "x".repeat(METADATA_MAX_BYTES - 8)});
        assert!(validate_metadata(&fits).is_ok());
        let over = json!({"k": "x".repeat(METADATA_MAX_BYTES - 7)});
        assert!(validate_metadata(&over).is_err());
    }

    #[test]
    fn request_reports_every_problem_at_its_path() {
        let body = json!({
            "connection_id": ["ok-1", "bad#id", ""],
            "provider_config_key": "a/b",
            "metadata": [],
            "extra": true
        });
        let err = validate_metadata_request(&body).unwrap_err();
        assert_eq!(
            codes(err.issues()),
            [
                (
                    ErrorCode::ConnectionIdInvalid,
                    path(&["connection_id", "1"])
                ),
                (ErrorCode::StringEmpty, path(&["connection_id", "2"])),
                (
                    ErrorCode::IntegrationKeyInvalid,
                    path(&["provider_config_key"])
                ),
                (ErrorCode::MetadataNotObject, path(&["metadata"])),
                (ErrorCode::KeyUnrecognized, path(&["extra"])),
            ]
        );
        let ok = json!({"connection_id": [], "provider_config_key": "github", "metadata": {"secret": 1}});
        let req = validate_metadata_request(&ok).unwrap();
        assert!(req.connection_ids().is_empty() && req.ids_were_array());
        assert_eq!(
            codes(req.metadata().warnings()),
            [(
                ErrorCode::MetadataKeyCredentialLike,
                path(&["metadata", "secret"])
            )]
        );
    }
}

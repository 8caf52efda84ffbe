//! Connection metadata (spec §6.5): free JSON for the app, stored on a connection.
//!
//! Rules: metadata is a JSON object (not an array, not `null`); *set* replaces it, *update*
//! merges it shallowly (`{...existing, ...patch}`, `null` values kept as `null`); the compact
//! JSON must fit [`METADATA_MAX_BYTES`](crate::limits::METADATA_MAX_BYTES). Keys that look like
//! credentials get a warning (Nango's docs: credentials never go into metadata). Also the shape
//! of the metadata endpoints' body, `{connection_id, provider_config_key, metadata}`.
//!
//! Knows nothing about storage or HTTP status codes.

use serde_json::{Map, Value};

use crate::ids::{check_id, is_valid_connection_id, is_valid_integration_key};
use crate::limits::{CONNECTION_ID_MAX_LEN, METADATA_MAX_BYTES, NAME_MAX_LEN};
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
/// replaced, `null` values stored as `null`), checked like a *set*.
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
    let size = json_size(&Value::Object(map.clone()));
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

/// The length of the compact JSON text of `value`, in bytes.
fn json_size(value: &Value) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    match serde_json::to_writer(&mut counter, value) {
        Ok(()) => counter.0,
        Err(_) => usize::MAX,
    }
}

/// How deep credential-like keys are looked for in nested objects.
const MAX_WARNING_DEPTH: usize = 8;

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
        if let Value::Object(inner) = value
            && depth < MAX_WARNING_DEPTH
        {
            credential_like_keys(inner, path, depth + 1, out);
        }
        path.pop();
    }
}

/// True if a key names a secret: its lowercase letters-and-digits form ends in `password`,
/// `passwd`, `secret`, `token`, `apikey`, `privatekey` or `credential(s)`, or equals `pwd`.
/// Pagination cursors (`next_page_token`, `sync_token`, `delta_token`, `continuation_token`) are
/// not secrets and are left alone, as are words that merely start with one (`token_count`).
pub fn is_credential_like_key(key: &str) -> bool {
    let norm: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    const CURSORS: &[&str] = &[
        "pagetoken",
        "synctoken",
        "deltatoken",
        "continuationtoken",
        "cursortoken",
    ];
    const SECRETS: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "token",
        "apikey",
        "privatekey",
        "credential",
        "credentials",
    ];
    if CURSORS.iter().any(|c| norm.ends_with(c)) {
        return false;
    }
    norm == "pwd" || SECRETS.iter().any(|s| norm.ends_with(s))
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

    /// True if `connection_id` was sent as an array (Nango's 404 message then says nothing was done).
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

/// Validates `{connection_id: id | id[], provider_config_key, metadata}` (strict).
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
        check_id(
            value,
            path,
            ErrorCode::ConnectionIdInvalid,
            CONNECTION_ID_MAX_LEN,
            is_valid_connection_id,
            issues,
        )
        .map(str::to_owned)
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
    let key = check_id(
        body.get("provider_config_key"),
        vec!["provider_config_key".to_owned()],
        ErrorCode::IntegrationKeyInvalid,
        NAME_MAX_LEN,
        is_valid_integration_key,
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
    fn credential_heuristic() {
        for yes in [
            "password",
            "api_key",
            "apiKey",
            "client_secret",
            "accessToken",
            "refresh_token",
            "PRIVATE-KEY",
            "pwd",
        ] {
            assert!(is_credential_like_key(yes), "{yes}");
        }
        for no in [
            "token_count",
            "next_page_token",
            "syncToken",
            "secretary",
            "user_id",
            "keyboard",
        ] {
            assert!(!is_credential_like_key(no), "{no}");
        }
    }

    #[test]
    fn size_limit_counts_compact_json_bytes() {
        let big = json!({"k": "x".repeat(METADATA_MAX_BYTES)});
        let err = validate_metadata(&big).unwrap_err();
        assert_eq!(err.issues()[0].code(), ErrorCode::MetadataTooLarge);
        let fits = json!({"k": "x".repeat(METADATA_MAX_BYTES - 8)});
        assert!(validate_metadata(&fits).is_ok());
    }
}

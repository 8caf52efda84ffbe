//! The metadata exports: `validateMetadata` (`POST /connection/metadata`, replace) and
//! `mergeMetadata` (`PATCH /connection/metadata`), each answering with the value Nango stores.
//!
//! Glue only: the metadata rules are connkit-core's. Knows nothing about forms, tags, sessions
//! or webhooks.

use connkit_core::ValidationError;
use connkit_core::metadata::{Metadata, merge_metadata as merge, validate_metadata as validate};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::js;
use crate::read::{json, object_arg};
use crate::write::{failure, failure_of, issues, to_js};

/// Validates metadata for `POST /connection/metadata` (replace): `{ ok, value, warnings }`.
#[wasm_bindgen(js_name = validateMetadata)]
pub fn validate_metadata(input: JsValue) -> JsValue {
    match json(&input) {
        Ok(input) => metadata_result(validate(&input)),
        Err(issue) => failure_of(&issue),
    }
}

/// Merges a metadata patch into `existing` (`PATCH /connection/metadata`) and validates the result.
#[wasm_bindgen(js_name = mergeMetadata)]
pub fn merge_metadata(existing: JsValue, patch: JsValue) -> JsValue {
    let existing = match object_arg(&existing, "existing", false) {
        Ok(it) => it,
        Err(issue) => return failure_of(&issue),
    };
    match json(&patch) {
        Ok(patch) => metadata_result(merge(&existing, &patch)),
        Err(issue) => failure_of(&issue),
    }
}

fn metadata_result(checked: Result<Metadata, ValidationError>) -> JsValue {
    match checked {
        Ok(m) => js::ok_warn(
            to_js(&Value::Object(m.value().clone())),
            issues(m.warnings()),
        ),
        Err(err) => failure(&err),
    }
}

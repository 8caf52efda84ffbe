//! The Nango projection of the metadata endpoints' body: the `errors` list of Nango's 400
//! `invalid_body` for POST and PATCH /connections/metadata, in zod 4.0.5's order and words.
//!
//! Nango's schema, read in `packages/server/lib/controllers/connection/connectionId/metadata/
//! postMetadata.ts` and `patchMetadata.ts` (the same in both; NangoHQ/nango at 2f4c0af6):
//!
//! ```text
//! z.object({
//!     connection_id: z.union([connectionIdSchema, z.array(connectionIdSchema)]),
//!     provider_config_key: providerConfigKeySchema,
//!     metadata: z.record(z.string(), z.unknown())
//! }).strict()
//! ```
//!
//! with `connectionIdSchema` and `providerConfigKeySchema` from `packages/server/lib/helpers/
//! validation.ts` (`z.string().regex(…).max(255)`). zod facts reproduced, each checked by running
//! zod 4.0.5: a `connection_id` that fits neither branch (absent, `""`, a bad pattern, too long,
//! a list with one bad item, a number) is one `invalid_union` "Invalid input" at
//! `["connection_id"]`, nothing about the branches; `provider_config_key` gets the pattern then
//! the length issue, or `invalid_type` and the length quirk ([`crate::nango::length_quirks`]);
//! `metadata` must be a plain object (`invalid_type`, expected `record`, for anything else,
//! including an object with an own `constructor` key); its values are never checked; then
//! `unrecognized_keys` in JavaScript key order.
//!
//! Knows nothing about connkit's own codes (see the parent module).

use serde_json::Value;

use crate::JsonType;
use crate::ids::{is_valid_connection_id, nango_integration_key_errors};
use crate::limits::NAME_MAX_LEN;
use crate::nango::{LenCheck, NangoIssue, length_quirks, record_object, unrecognized_keys_of};
use crate::prelude::*;

/// The body's keys, in schema order.
const KEYS: [&str; 3] = ["connection_id", "provider_config_key", "metadata"];

fn p(key: &str) -> Vec<String> {
    vec![key.to_owned()]
}

/// The errors Nango returns for `body`; `[]` when it passes validation.
pub(super) fn errors(body: &Value) -> Vec<NangoIssue> {
    let map = match NangoIssue::expect_object(body) {
        Ok(map) => map,
        Err(issues) => return issues,
    };
    let mut out = Vec::new();
    let one_id = |v: &Value| v.as_str().is_some_and(is_valid_connection_id);
    let ids_fit = match map.get("connection_id") {
        Some(Value::Array(items)) => items.iter().all(one_id),
        Some(other) => one_id(other),
        None => false,
    };
    if !ids_fit {
        out.push(NangoIssue::invalid_union(p("connection_id")));
    }
    let key_path = p("provider_config_key");
    match map.get("provider_config_key") {
        Some(Value::String(key)) => out.extend(nango_integration_key_errors(key, &key_path)),
        other => {
            let received = other.map_or(JsonType::Undefined, JsonType::of);
            out.push(NangoIssue::invalid_type(
                JsonType::String,
                received,
                key_path.clone(),
            ));
            if let Some(value) = other {
                out.extend(length_quirks(
                    value,
                    &[LenCheck::Max(NAME_MAX_LEN, None)],
                    &key_path,
                ));
            }
        }
    }
    match map.get("metadata") {
        Some(value) => {
            record_object(value, &p("metadata"), &mut out);
        }
        None => out.push(NangoIssue::invalid_type(
            JsonType::Record,
            JsonType::Undefined,
            p("metadata"),
        )),
    }
    out.extend(unrecognized_keys_of(map, &KEYS, &[]));
    out
}

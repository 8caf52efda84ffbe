//! JSON bodies as the endpoints receive them: absent (no JSON content type: Express leaves the
//! body `undefined`), required to be empty, or validated by a rule module together with its
//! Nango projection (connect sessions, spec §2.1–2.2; metadata, spec §6.5).
//!
//! Knows nothing about the rules of any body: each comes from its module.

use serde_json::Value;

use crate::metadata::{MetadataRequest, nango_metadata_request_errors, validate_metadata_request};
use crate::nango::{NangoIssue, unrecognized_keys_of};
use crate::prelude::*;
use crate::session::{
    ConnectSessionRequest, nango_connect_session_errors, nango_reconnect_session_errors,
    validate_connect_session, validate_reconnect_session,
};
use crate::{JsonType, ValidationError};

use super::Rejection;

/// `validate` and `nango` on a body, judged together. Without a body connkit sees `null`, and
/// Nango's object schema reports `undefined` at the root.
pub(super) fn judge_body<T>(
    body: Option<&Value>,
    validate: fn(&Value) -> Result<T, ValidationError>,
    nango: fn(&Value) -> Vec<NangoIssue>,
) -> Result<T, Rejection> {
    match body {
        Some(body) => Rejection::judge(validate(body), nango(body)),
        None => Rejection::judge(validate(&Value::Null), vec![absent_object()]),
    }
}

/// zod's issue for an object schema given `undefined`.
fn absent_object() -> NangoIssue {
    NangoIssue::invalid_type(JsonType::Object, JsonType::Undefined, Vec::new())
}

/// A body that must be absent or `{}` (`requireEmptyBody`: GET and DELETE /connect/session,
/// the NONE auth endpoint).
pub fn check_empty_body(body: Option<&Value>) -> Result<(), Rejection> {
    let nango = match body {
        None => None,
        Some(Value::Object(map)) => unrecognized_keys_of(map, &[], &[]),
        Some(other) => Some(NangoIssue::invalid_type(
            JsonType::Object,
            JsonType::of(other),
            Vec::new(),
        )),
    };
    Rejection::unless_empty(Vec::new(), nango.into_iter().collect())
}

/// The POST /connect/sessions body ([`crate::session::validate_connect_session`]).
pub fn check_connect_session_body(
    body: Option<&Value>,
) -> Result<ConnectSessionRequest, Rejection> {
    judge_body(body, validate_connect_session, nango_connect_session_errors)
}

/// The POST /connect/sessions/reconnect body ([`crate::session::validate_reconnect_session`]).
pub fn check_reconnect_session_body(
    body: Option<&Value>,
) -> Result<ConnectSessionRequest, Rejection> {
    judge_body(
        body,
        validate_reconnect_session,
        nango_reconnect_session_errors,
    )
}

/// The POST and PATCH /connections/metadata body
/// ([`crate::metadata::validate_metadata_request`]).
pub fn check_metadata_body(body: Option<&Value>) -> Result<MetadataRequest, Rejection> {
    judge_body(
        body,
        validate_metadata_request,
        nango_metadata_request_errors,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nango_codes(result: Result<(), Rejection>) -> Vec<&'static str> {
        result
            .err()
            .map(|r| r.nango().iter().map(|it| it.code).collect())
            .unwrap_or_default()
    }

    #[test]
    fn empty_bodies_are_absent_or_empty_objects() {
        assert_eq!(check_empty_body(None), Ok(()));
        assert_eq!(check_empty_body(Some(&json!({}))), Ok(()));
        assert_eq!(
            nango_codes(check_empty_body(Some(&json!({"a": 1})))),
            ["unrecognized_keys"]
        );
        assert_eq!(
            nango_codes(check_empty_body(Some(&json!([])))),
            ["invalid_type"]
        );
    }

    #[test]
    fn an_absent_body_is_undefined_to_nango_and_null_to_connkit() {
        let refused = check_connect_session_body(None).unwrap_err();
        assert_eq!(
            refused.nango().first().map(|it| it.message.as_str()),
            Some("Invalid input: expected object, received undefined")
        );
        let codes: Vec<&str> = refused
            .issues()
            .iter()
            .map(|it| it.code().as_str())
            .collect();
        assert_eq!(codes, ["value_type_invalid"]);
    }
}

//! Request bodies as Nango's Express app reads them (spec §3.1, §8): a `Content-Type` other
//! than `application/json…` is a 415; without one the body is not read at all (Express leaves it
//! `undefined`); an empty JSON body is `{}` (body-parser); only an object or an array may be the
//! top-level value (body-parser's strict mode); bad JSON is a 400 `invalid_json`; a body over the
//! configured limit is a 413, one that does not arrive whole in time a 408. Never a 500.
//!
//! Knows nothing about what a body must contain.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::state::AppState;

/// The parsed JSON body; `None` when the request declared no content type.
#[derive(Debug, Clone)]
pub(crate) struct JsonBody(pub(crate) Option<Value>);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, ApiError> {
        let declared = match request.headers().get(CONTENT_TYPE) {
            None => false,
            Some(value) if is_json(value.as_bytes()) => true,
            Some(_) => return Err(ApiError::ContentType),
        };
        let settings = state.settings();
        let bytes = read_bytes(
            request.into_body(),
            settings.body_limit,
            settings.body_timeout,
        )
        .await?;
        if !declared {
            return Ok(JsonBody(None));
        }
        if bytes.is_empty() {
            return Ok(JsonBody(Some(Value::Object(Map::new()))));
        }
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if !matches!(first, Some(b'{' | b'[')) {
            return Err(ApiError::Json(
                "the body must be a JSON object or array".to_owned(),
            ));
        }
        let value =
            serde_json::from_slice(&bytes).map_err(|err| ApiError::Json(err.to_string()))?;
        Ok(JsonBody(Some(value)))
    }
}

/// The raw body, at most `limit` bytes (more: 413 `payload_too_large`), whole within `timeout`
/// (slower: 408 `request_timeout`, however steadily it trickles).
pub(crate) async fn read_bytes(
    body: Body,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, ApiError> {
    let Ok(read) = tokio::time::timeout(timeout, axum::body::to_bytes(body, limit)).await else {
        return Err(ApiError::Timeout);
    };
    read.map_err(|err| {
        if is_length_limit(&err) {
            ApiError::TooLarge(limit)
        } else {
            ApiError::Json("the request body could not be read".to_owned())
        }
    })
}

/// `application/json` with any parameters, in any letter case.
fn is_json(content_type: &[u8]) -> bool {
    content_type.len() >= 16 && content_type[..16].eq_ignore_ascii_case(b"application/json")
}

fn is_length_limit(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(current) = source {
        if current.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = current.source();
    }
    false
}

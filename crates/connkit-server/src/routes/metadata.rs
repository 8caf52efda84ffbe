//! Connection metadata (spec §6.5): POST /connections/metadata replaces, PATCH merges shallowly,
//! on one connection id or a list, all or nothing. The answer echoes the request body (201 for
//! POST, 200 for PATCH); the first unknown connection is a 404 and nothing is written.
//!
//! The query, the body (connkit's rules and Nango's projection, `connkit_core::request`), the
//! merge and the size limit are core's (`connkit_core::metadata`). Credential-like keys are
//! accepted and logged as warnings.
//!
//! GET and DELETE on `/connections/metadata` address the connection whose id is `metadata`
//! (the static route would otherwise shadow `/connections/:id`).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use connkit_core::ValidationError;
use connkit_core::metadata::{MetadataRequest, merge_metadata};
use connkit_core::request::{Query, check_empty_query, check_metadata_body};
use serde_json::{Map, Value};

use super::PathParam;
use super::connections::{connections_delete, connections_show};
use crate::body::JsonBody;
use crate::error::{ApiError, Part, RejectAs};
use crate::principal::SecretKey;
use crate::state::AppState;
use crate::store::MetadataOutcome;
use crate::timestamp;

pub(super) fn router() -> Router<AppState> {
    Router::new().route(
        "/connections/metadata",
        post(metadata_replace)
            .patch(metadata_update)
            .get(metadata_connection_show)
            .delete(metadata_connection_delete),
    )
}

fn request(query: Option<&str>, body: Option<&Value>) -> Result<MetadataRequest, ApiError> {
    check_empty_query(&Query::parse(query)).reject_as(Part::Query)?;
    let request = check_metadata_body(body).reject_as(Part::Body)?;
    for warning in request.metadata().warnings() {
        tracing::warn!(code = %warning.code(), path = ?warning.path(), "metadata warning");
    }
    Ok(request)
}

async fn metadata_replace(
    State(state): State<AppState>,
    _: SecretKey,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let request = request(query.as_deref(), body.as_ref())?;
    let metadata = request.metadata().value().clone();
    let outcome = state
        .store()
        .write_metadata(
            request.provider_config_key(),
            request.connection_ids(),
            |_| Ok::<_, ValidationError>(metadata.clone()),
            timestamp::now(),
        )
        .await?;
    answer(outcome, &request, body, StatusCode::CREATED)
}

async fn metadata_update(
    State(state): State<AppState>,
    _: SecretKey,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let request = request(query.as_deref(), body.as_ref())?;
    let patch = Value::Object(request.metadata().value().clone());
    let empty = Map::new();
    let outcome = state
        .store()
        .write_metadata(
            request.provider_config_key(),
            request.connection_ids(),
            |current| {
                merge_metadata(current.unwrap_or(&empty), &patch).map(|merged| merged.into_value())
            },
            timestamp::now(),
        )
        .await?;
    answer(outcome, &request, body, StatusCode::OK)
}

fn answer(
    outcome: MetadataOutcome<ValidationError>,
    request: &MetadataRequest,
    body: Option<Value>,
    status: StatusCode,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    match outcome {
        MetadataOutcome::Written => Ok((status, Json(body.unwrap_or(Value::Null)))),
        MetadataOutcome::Missing(id) => {
            let mut message = format!(
                "Connection with connection id {id} and provider config key {} not found. Please make sure the connection exists in the Nango dashboard",
                request.provider_config_key()
            );
            if request.connection_ids().len() > 1 {
                message.push_str(". No actions were taken on any of the connections as a result of this failure.");
            }
            Err(ApiError::message(
                StatusCode::NOT_FOUND,
                "unknown_connection",
                message,
            ))
        }
        MetadataOutcome::Refused(err) => {
            // Core checked the merged object; its issues sit under the body's `metadata`.
            let prefix = ["metadata".to_owned()];
            let issues = err.into_issues().into_iter().map(|it| it.prefixed(&prefix));
            match ValidationError::from_issues(issues.collect()) {
                Err(err) => Err(ApiError::validation(Part::Body, err)),
                Ok(_) => Err(ApiError::internal("metadata refused without an error")),
            }
        }
    }
}

async fn metadata_connection_show(
    state: State<AppState>,
    key: SecretKey,
    query: RawQuery,
) -> Result<Json<Value>, ApiError> {
    connections_show(state, key, PathParam("metadata".to_owned()), query).await
}

async fn metadata_connection_delete(
    state: State<AppState>,
    key: SecretKey,
    query: RawQuery,
) -> Result<Json<Value>, ApiError> {
    connections_delete(state, key, PathParam("metadata".to_owned()), query).await
}

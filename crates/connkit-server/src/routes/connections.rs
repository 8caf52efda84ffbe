//! Connections (spec §6.2–6.6): GET /connections (filters, tags, paging), GET, PATCH and DELETE
//! /connections/:connectionId?provider_config_key=….
//!
//! Queries, the path and the PATCH body are checked by `connkit_core::request` (the tag filter,
//! the PATCH rules and the tags it sets are core's). Reading an OAUTH2, OAUTH2_CC, TWO_STEP, BILL,
//! SIGNATURE, JWT or AWS_SIGV4 connection refreshes its token first when core says so (`routes/refresh.rs`). Status codes and JSON follow Nango,
//! including its odd ones: GET of an unknown integration is 400 `unknown_provider_config`,
//! DELETE of an unknown connection 400 `unknown_connection`.
//!
//! Knows nothing about SQL.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use connkit_core::credentials::strip_refresh_tokens;
use connkit_core::oauth2::RefreshFailure;
use connkit_core::request::{
    ListQuery, Query, check_connection_get_query, check_connection_id_param,
    check_connection_patch, check_connection_query, check_list_query,
};
use serde_json::{Value, json};

use super::refresh::{Refused, fresh_credentials};
use super::{PathParam, end_user_record, not_found};
use crate::body::JsonBody;
use crate::error::{ApiError, Part, RejectAs};

use crate::principal::SecretKey;
use crate::state::AppState;
use crate::store::{ConnectionPatch, ConnectionRow, ListFilter};
use crate::timestamp;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/connections", get(connections_index))
        .route(
            "/connections/{connection_id}",
            get(connections_show)
                .patch(connections_update)
                .delete(connections_delete),
        )
}

async fn connections_index(
    State(state): State<AppState>,
    _: SecretKey,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = check_list_query(&Query::parse(query.as_deref())).reject_as(Part::Query)?;
    let rows = state.store().list_connections(&list_filter(query)).await?;
    let connections: Vec<Value> = rows
        .into_iter()
        .map(|row| {
            json!({
                "id": row.id,
                "connection_id": row.connection_id,
                "provider_config_key": row.provider_config_key,
                "provider": row.provider,
                "errors": [],
                "end_user": row.end_user,
                "tags": row.tags,
                "metadata": row.metadata,
                "created": timestamp::postgres_json(row.created_at),
            })
        })
        .collect();
    Ok(Json(json!({"connections": connections})))
}

/// The store's filter for a valid GET /connections query.
fn list_filter(query: ListQuery) -> ListFilter {
    let owned = |text: Option<&str>| text.map(str::to_owned);
    ListFilter {
        tags: query.tags().clone(),
        integration_ids: query.integration_ids().map(<[String]>::to_vec),
        connection_id: owned(query.connection_id()),
        search: owned(query.search()),
        end_user_id: owned(query.end_user_id()),
        end_user_organization_id: owned(query.end_user_organization_id()),
        limit: i64::try_from(query.limit()).unwrap_or(i64::MAX),
        offset: i64::try_from(query.offset()).unwrap_or(i64::MAX),
    }
}

fn unknown_integration() -> ApiError {
    ApiError::message(
        StatusCode::BAD_REQUEST,
        "unknown_provider_config",
        "Provider does not exists",
    )
}

fn missing_connection() -> ApiError {
    not_found("Failed to find connection")
}

pub(super) async fn connections_show(
    State(state): State<AppState>,
    _: SecretKey,
    PathParam(connection_id): PathParam,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query =
        check_connection_get_query(&Query::parse(query.as_deref())).reject_as(Part::Query)?;
    check_connection_id_param(&connection_id).reject_as(Part::Uri)?;
    let key = query.provider_config_key();
    if state.integrations().get(key).is_none() {
        return Err(unknown_integration());
    }
    let (mut row, mut credentials) = state
        .store()
        .find_connection(key, &connection_id)
        .await?
        .ok_or_else(missing_connection)?;
    let now = timestamp::now();
    state.store().touch_fetched(row.id, now).await?;
    row.last_fetched_at = Some(now);
    if matches!(
        credentials.get("type").and_then(Value::as_str),
        Some("OAUTH2" | "OAUTH2_CC" | "TWO_STEP" | "BILL" | "SIGNATURE" | "JWT" | "AWS_SIGV4")
    ) {
        credentials =
            match fresh_credentials(&state, &row, credentials, query.force_refresh()).await {
                Ok(credentials) => credentials,
                Err(Refused::Internal(err)) => return Err(err),
                Err(Refused::Failed(failure)) => return Err(refresh_failed(&row, failure)),
            };
    }
    let mut config = Value::Object(row.connection_config.clone());
    if !query.refresh_token() {
        strip_refresh_tokens(&mut config);
        strip_refresh_tokens(&mut credentials);
    }
    Ok(Json(connection_json(&row, config, credentials)))
}

/// Nango's answer to a read whose refresh failed (spec §6.3): `invalid_credentials` with the
/// connection, without credentials and refresh tokens, as its payload.
fn refresh_failed(row: &ConnectionRow, failure: RefreshFailure) -> ApiError {
    let status = match failure {
        RefreshFailure::External => StatusCode::BAD_REQUEST,
        RefreshFailure::BackOff => StatusCode::FAILED_DEPENDENCY,
    };
    let mut config = Value::Object(row.connection_config.clone());
    strip_refresh_tokens(&mut config);
    ApiError::Payload {
        status,
        code: "invalid_credentials",
        message: failure.message().to_owned(),
        payload: json!({"connection": connection_json(row, config, json!({}))}),
    }
}

fn connection_json(row: &ConnectionRow, config: Value, credentials: Value) -> Value {
    json!({
        "id": row.id,
        "connection_id": row.connection_id,
        "provider_config_key": row.provider_config_key,
        "provider": row.provider,
        "errors": [],
        "end_user": row.end_user,
        "tags": row.tags,
        "metadata": row.metadata,
        "connection_config": config,
        "webhook_url_override": row.webhook_url_override,
        "created_at": timestamp::iso_millis_offset(row.created_at),
        "updated_at": timestamp::iso_millis_offset(row.updated_at),
        "last_fetched_at": row.last_fetched_at.map(timestamp::iso_millis_offset),
        "credentials": credentials,
    })
}

async fn connections_update(
    State(state): State<AppState>,
    _: SecretKey,
    PathParam(connection_id): PathParam,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let query = check_connection_query(&Query::parse(query.as_deref())).reject_as(Part::Query)?;
    let changes = check_connection_patch(body.as_ref()).reject_as(Part::Body)?;
    check_connection_id_param(&connection_id).reject_as(Part::Uri)?;
    let key = query.provider_config_key();
    if state.integrations().get(key).is_none() {
        return Err(unknown_integration());
    }
    let Some((row, _)) = state.store().find_connection(key, &connection_id).await? else {
        return Err(missing_connection());
    };
    let mut patch = ConnectionPatch {
        now: timestamp::now(),
        ..ConnectionPatch::default()
    };
    patch.tags = changes.tags().cloned();
    if let Some(end_user) = changes.end_user() {
        let organization = row
            .end_user
            .as_ref()
            .and_then(|u| u.get("organization"))
            .filter(|o| o.is_object());
        patch.end_user = end_user_record(Some(end_user), organization);
    }
    if let Some(url) = changes.webhook_url_override() {
        patch.webhook_url_override = Some(url.map(str::to_owned));
    }
    if !state
        .store()
        .patch_connection(key, &connection_id, &patch)
        .await?
    {
        return Err(missing_connection());
    }
    Ok(Json(json!({"success": true})))
}

pub(super) async fn connections_delete(
    State(state): State<AppState>,
    _: SecretKey,
    PathParam(connection_id): PathParam,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    check_connection_id_param(&connection_id).reject_as(Part::Uri)?;
    let query = check_connection_query(&Query::parse(query.as_deref())).reject_as(Part::Query)?;
    let deleted = state
        .store()
        .delete_connection(query.provider_config_key(), &connection_id)
        .await?;
    if !deleted {
        return Err(ApiError::code(
            StatusCode::BAD_REQUEST,
            "unknown_connection",
        ));
    }
    Ok(Json(json!({"success": true})))
}

//! Connections (spec §6.2–6.6): GET /connections (filters, tags, paging), GET, PATCH and DELETE
//! /connections/:connectionId?provider_config_key=….
//!
//! The tag filter, PATCH body rules and tag merging are core's (the PATCH body goes through
//! core's reconnect-body validator, whose `end_user`, `tags` and `webhook_url_override` rules
//! are PATCH's). Status codes and JSON follow Nango, including its odd ones: GET of an unknown
//! integration is 400 `unknown_provider_config`, DELETE of an unknown connection 400
//! `unknown_connection`.
//!
//! Knows nothing about SQL.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use connkit_core::JsonType;
use connkit_core::nango::NangoIssue;
use connkit_core::session::{nango_reconnect_session_errors, validate_reconnect_session};
use serde_json::{Map, Value, json};

use super::{PathParam, end_user_record, not_found};
use crate::body::JsonBody;
use crate::error::{ApiError, Part};
use crate::principal::SecretKey;
use crate::query::Query;
use crate::requests::{connection_id_param, connection_query, list_query};
use crate::state::AppState;
use crate::store::{ConnectionPatch, ConnectionRow};
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
    let filter = list_query(&Query::parse(query.as_deref()))?;
    let rows = state.store().list_connections(&filter).await?;
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
    let query = connection_query(&Query::parse(query.as_deref()), true)?;
    connection_id_param(&connection_id)?;
    let key = &query.provider_config_key;
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
    let mut config = Value::Object(row.connection_config.clone());
    if !query.refresh_token {
        strip_refresh_tokens(&mut config);
        strip_refresh_tokens(&mut credentials);
    }
    Ok(Json(connection_json(&row, config, credentials)))
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

/// Removes, at every depth, each key whose ASCII letters lowercased read `refreshtoken`
/// (`refresh_token`, `refreshToken`, `Refresh-Token`…), as GET /connections/:id does unless
/// `refresh_token=true` (spec §6.3).
fn strip_refresh_tokens(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| {
                let letters: String = key
                    .chars()
                    .filter(char::is_ascii_alphabetic)
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                letters != "refreshtoken"
            });
            map.values_mut().for_each(strip_refresh_tokens);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_refresh_tokens),
        _ => {}
    }
}

async fn connections_update(
    State(state): State<AppState>,
    _: SecretKey,
    PathParam(connection_id): PathParam,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let query = connection_query(&Query::parse(query.as_deref()), false)?;
    let patch_body = patch_body(body)?;
    connection_id_param(&connection_id)?;
    let key = &query.provider_config_key;
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
    if patch_body.has_end_user || patch_body.has_tags {
        patch.tags = Some(patch_body.tags);
    }
    if let Some(end_user) = &patch_body.end_user {
        let organization = row
            .end_user
            .as_ref()
            .and_then(|u| u.get("organization"))
            .filter(|o| o.is_object());
        patch.end_user = end_user_record(Some(end_user), organization);
    }
    if patch_body.has_webhook {
        patch.webhook_url_override = Some(patch_body.webhook_url_override);
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

/// A validated PATCH body.
struct PatchBody {
    has_end_user: bool,
    has_tags: bool,
    has_webhook: bool,
    end_user: Option<Value>,
    tags: connkit_core::tags::Tags,
    webhook_url_override: Option<String>,
}

/// Validates `{end_user?, tags?, webhook_url_override?}` (strict) with core's reconnect rules.
fn patch_body(body: Option<Value>) -> Result<PatchBody, ApiError> {
    const KEYS: [&str; 3] = ["end_user", "tags", "webhook_url_override"];
    let map = match body {
        Some(Value::Object(map)) => map,
        other => {
            let received = other.as_ref().map_or(JsonType::Undefined, JsonType::of);
            return Err(ApiError::nango(
                Part::Body,
                vec![NangoIssue::invalid_type(
                    JsonType::Object,
                    received,
                    Vec::new(),
                )],
            ));
        }
    };
    let unknown: Vec<&str> = map
        .keys()
        .map(String::as_str)
        .filter(|k| !KEYS.contains(k))
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError::nango(
            Part::Body,
            vec![NangoIssue::unrecognized_keys(&unknown, Vec::new())],
        ));
    }
    let mut synthetic = Map::new();
    synthetic.insert("connection_id".into(), "x".into());
    synthetic.insert("integration_id".into(), "x".into());
    synthetic.extend(map.clone());
    let synthetic = Value::Object(synthetic);
    let nango = nango_reconnect_session_errors(&synthetic);
    let request = match validate_reconnect_session(&synthetic) {
        Ok(request) if nango.is_empty() => request,
        Ok(_) => return Err(ApiError::nango(Part::Body, nango)),
        Err(err) => return Err(ApiError::validation(Part::Body, nango, err)),
    };
    Ok(PatchBody {
        has_end_user: map.contains_key("end_user"),
        has_tags: map.contains_key("tags"),
        has_webhook: map.contains_key("webhook_url_override"),
        end_user: request
            .end_user()
            .map(|_| map.get("end_user").cloned().unwrap_or_default()),
        tags: request.tags().clone(),
        webhook_url_override: request.webhook_url_override().map(str::to_owned),
    })
}

pub(super) async fn connections_delete(
    State(state): State<AppState>,
    _: SecretKey,
    PathParam(connection_id): PathParam,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    connection_id_param(&connection_id)?;
    let query = connection_query(&Query::parse(query.as_deref()), false)?;
    let deleted = state
        .store()
        .delete_connection(&query.provider_config_key, &connection_id)
        .await?;
    if !deleted {
        return Err(ApiError::code(
            StatusCode::BAD_REQUEST,
            "unknown_connection",
        ));
    }
    Ok(Json(json!({"success": true})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_are_stripped_at_every_depth() {
        let mut value = json!({
            "refresh_token": "a", "Refresh-Token": "b", "keep": 1,
            "raw": {"refreshToken": "c", "list": [{"REFRESH_TOKEN_": "d", "x": 2}]}
        });
        strip_refresh_tokens(&mut value);
        assert_eq!(value, json!({"keep": 1, "raw": {"list": [{"x": 2}]}}));
    }
}

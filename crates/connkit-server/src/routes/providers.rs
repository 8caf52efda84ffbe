//! GET /providers and GET /providers/:provider (spec §4.2): the catalogue's resolved provider
//! entries (aliases merged by core) with `name` and `logo_url`.
//!
//! Knows nothing about integrations. Localisation (`Accept-Language`) is not done: entries are
//! served as the catalogue holds them (English).

use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use connkit_core::catalogue::Provider;
use connkit_core::request::{
    Query, check_empty_query, check_provider_param, check_providers_query,
};
use serde_json::{Value, json};

use super::{PathParam, logo_url, not_found};
use crate::error::{ApiError, Part, RejectAs};
use crate::principal::Caller;
use crate::state::AppState;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/providers", get(providers_index))
        .route("/providers/{provider}", get(providers_show))
}

fn provider_json(state: &AppState, provider: &Provider) -> Value {
    let mut map = provider.json().clone();
    map.remove("alias");
    map.insert("name".into(), provider.name().into());
    map.insert("logo_url".into(), logo_url(state, provider.name()).into());
    Value::Object(map)
}

/// Every provider; `search` keeps those whose name or display name contains it (any case).
async fn providers_index(
    State(state): State<AppState>,
    _: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let search = check_providers_query(&Query::parse(query.as_deref()))
        .reject_as(Part::Query)?
        .map(|s| s.to_lowercase());
    let data: Vec<Value> = state
        .catalogue()
        .iter()
        .filter(|p| {
            search.as_ref().is_none_or(|s| {
                p.name().to_lowercase().contains(s) || p.display_name().to_lowercase().contains(s)
            })
        })
        .map(|p| provider_json(&state, p))
        .collect();
    Ok(Json(json!({"data": data})))
}

async fn providers_show(
    State(state): State<AppState>,
    _: Caller,
    PathParam(name): PathParam,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    check_empty_query(&Query::parse(query.as_deref())).reject_as(Part::Query)?;
    check_provider_param(&name).reject_as(Part::Uri)?;
    let provider = state
        .catalogue()
        .find(&name)
        .ok_or_else(|| not_found(format!("Unknown provider {name}")))?;
    Ok(Json(json!({"data": provider_json(&state, provider)})))
}

//! GET /integrations (spec §4.2): the configured integrations in Nango's `ApiPublicIntegration`
//! shape, ordered by provider, limited to a session's `allowed_integrations`.
//!
//! Knows nothing about sessions beyond their allow-list.

use axum::extract::{RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use connkit_core::modes::preconfigured_credentials;
use connkit_core::request::{Query, check_empty_query};
use serde_json::{Value, json};

use super::logo_url;
use crate::error::{ApiError, Part, RejectAs};
use crate::principal::Caller;
use crate::state::AppState;
use crate::timestamp;

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/integrations", get(integrations_index))
}

async fn integrations_index(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    check_empty_query(&Query::parse(query.as_deref())).reject_as(Part::Query)?;
    let allowed = match &caller {
        Caller::Session(session) => session.allowed_integrations.clone(),
        Caller::Secret => None,
    };
    let started = timestamp::iso_millis_z(state.started_at());
    let data: Vec<Value> = state
        .integrations()
        .iter()
        .filter(|i| {
            allowed
                .as_ref()
                .is_none_or(|list| list.contains(&i.unique_key))
        })
        .map(|i| {
            let provider = state.catalogue().find(&i.provider);
            let provider_name = provider.map(|p| p.display_name().to_owned());
            let preconfigured = provider
                .map(|p| preconfigured_credentials(p, &i.custom))
                .unwrap_or_default();
            let display_name = i
                .display_name
                .clone()
                .or(provider_name)
                .unwrap_or_else(|| i.provider.clone());
            let mut entry = json!({
                "unique_key": i.unique_key,
                "provider": i.provider,
                "display_name": display_name,
                "logo": logo_url(&state, &i.provider),
                "forward_webhooks": true,
                "created_at": started,
                "updated_at": started,
            });
            // Nango sends the member only when it names a field.
            if !preconfigured.is_empty() {
                entry["preconfigured_credentials"] = json!(preconfigured);
            }
            entry
        })
        .collect();
    Ok(Json(json!({"data": data})))
}

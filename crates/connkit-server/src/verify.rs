//! The opt-in credential test of the auth endpoints (`--verify-credentials`, spec §3.4 step 11):
//! a request to the provider's `proxy.verification` endpoints with the new credentials; a
//! connection is stored only if one of them answers 2xx. The connection_config values the
//! templates use must first pass their fields' rules (`field::check_template_values`; a 400
//! `invalid_query_params` otherwise), so that no value sends the test elsewhere than the
//! catalogue says.
//!
//! Interpolation is core's: the base URL (`interpolate_proxy_base_url`) and each `proxy.headers`,
//! `verification.headers` and `proxy.query` value (`interpolate_proxy_header`; one that does not
//! resolve is left out, as Nango does). BASIC credentials also go in an `Authorization: Basic`
//! header, as Nango's proxy sends them; API_KEY providers place the key through those templates
//! (`Bearer ${apiKey}`).
//!
//! Knows nothing about storage or sessions.

use axum::http::StatusCode;
use connkit_core::ValidationError;
use connkit_core::catalogue::{AuthMode, Provider};
use connkit_core::field::check_template_values;
use connkit_core::interpolate::{interpolate_proxy_base_url, interpolate_proxy_header};
use connkit_core::js::encode_uri_component;
use serde_json::{Map, Value};

use crate::crypto::base64;
use crate::error::{ApiError, Part};
use crate::state::AppState;

/// Tests `credentials` against `provider`; 400 `connection_test_failed` when they fail.
pub(crate) async fn check(
    state: &AppState,
    provider: &Provider,
    connection_config: &Map<String, Value>,
    credentials: &Value,
) -> Result<(), ApiError> {
    let proxy = provider.json().get("proxy").and_then(Value::as_object);
    let Some(verification) = proxy
        .and_then(|p| p.get("verification"))
        .and_then(Value::as_object)
    else {
        return Ok(()); // Nothing to test against.
    };
    let template = verification
        .get("base_url_override")
        .or_else(|| proxy.and_then(|p| p.get("base_url")))
        .and_then(Value::as_str);
    let Some(template) = template else {
        return Ok(());
    };
    let empty = Map::new();
    let creds = credentials.as_object().unwrap_or(&empty);
    // No value goes into an outbound URL or header unless its field's rule accepts it.
    let templates = [
        proxy.and_then(|p| p.get("headers")),
        proxy.and_then(|p| p.get("query")),
        verification.get("headers"),
    ]
    .into_iter()
    .flatten()
    .filter_map(Value::as_object)
    .flat_map(|map| map.values().filter_map(Value::as_str))
    .chain([template]);
    let issues = check_template_values(
        provider.connection_config(),
        templates,
        connection_config,
        state.oauth().matcher(),
    );
    if let Err(err) = ValidationError::from_issues(issues) {
        return Err(ApiError::validation(Part::Query, err));
    }
    let base = interpolate_proxy_base_url(template, connection_config, creds)
        .map_err(|_| failed(false))?;
    let endpoints: Vec<&str> = match (verification.get("endpoints"), verification.get("endpoint")) {
        (Some(Value::Array(list)), _) => list.iter().filter_map(Value::as_str).collect(),
        (_, Some(Value::String(one))) => vec![one.as_str()],
        _ => vec![""],
    };
    let method = verification
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("GET");
    let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .unwrap_or(reqwest::Method::GET);
    let text = |key: &str| creds.get(key).and_then(Value::as_str).unwrap_or("");
    let mut headers: Vec<(String, String)> = Vec::new();
    if *provider.auth_mode() == AuthMode::Basic {
        let pair = format!("{}:{}", text("username"), text("password"));
        headers.push((
            "authorization".into(),
            format!("Basic {}", base64(pair.as_bytes())),
        ));
    }
    let interpolated = |templates: Option<&Value>| -> Vec<(String, String)> {
        let Some(Value::Object(map)) = templates else {
            return Vec::new();
        };
        map.iter()
            .filter_map(|(name, value)| {
                let value = interpolate_proxy_header(value.as_str()?, connection_config, creds)?;
                Some((name.clone(), value))
            })
            .collect()
    };
    // Later templates win: proxy.headers over the Basic header, verification.headers over both.
    for (name, value) in interpolated(proxy.and_then(|p| p.get("headers")))
        .into_iter()
        .chain(interpolated(verification.get("headers")))
    {
        let name = name.to_ascii_lowercase();
        headers.retain(|(n, _)| *n != name);
        headers.push((name, value));
    }
    let query: Vec<String> = interpolated(proxy.and_then(|p| p.get("query")))
        .iter()
        .map(|(k, v)| format!("{}={}", encode_uri_component(k), encode_uri_component(v)))
        .collect();
    let mut unauthorized = false;
    for endpoint in endpoints {
        let mut url = format!("{base}/{}", endpoint.trim_start_matches('/'));
        if !query.is_empty() {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&query.join("&"));
        }
        let mut request = state.http().request(method.clone(), &url);
        for (name, value) in &headers {
            request = request.header(name.as_str(), value.as_str());
        }
        match request.send().await {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => unauthorized |= response.status() == reqwest::StatusCode::UNAUTHORIZED,
            Err(err) => tracing::info!(%url, "credential test request failed: {err}"),
        }
    }
    Err(failed(unauthorized))
}

fn failed(unauthorized: bool) -> ApiError {
    let detail = if unauthorized {
        " and received a 401 on a test API call"
    } else {
        ""
    };
    ApiError::message(
        StatusCode::BAD_REQUEST,
        "connection_test_failed",
        format!(
            "The given credentials were found to be invalid{detail}. Please check the credentials and try again."
        ),
    )
}

//! Runner for `"kind": "requests"` vectors (see the file's `about`): one `connkit_core::request`
//! check per case, its normalised request (only the fields listed in `expect.ok` are compared)
//! or its rejection: connkit's issues (any order) and Nango's projection (exactly, in order).

use connkit_core::request::{
    AuthEndpoint, ConnectionPatch, ConnectionQuery, ListQuery, Query, Rejection, check_auth_body,
    check_auth_query, check_connect_session_body, check_connection_get_query,
    check_connection_id_param, check_connection_patch, check_connection_query, check_empty_body,
    check_empty_query, check_integration_key_param, check_list_query, check_metadata_body,
    check_provider_param, check_providers_query, check_reconnect_session_body, path_param_not_text,
};
use serde_json::{Map, Value, json};

pub(crate) fn check(case: &Value) -> Result<(), String> {
    let query = || Query::parse(case["query"].as_str());
    let param = || case["param"].as_str().unwrap_or_default();
    // A case without `body` sent none (`undefined`); `"body": null` sent JSON `null`.
    let body = case.get("body");
    let result: Result<Value, Rejection> = match case["check"].as_str() {
        Some("list_query") => check_list_query(&query()).map(|q| list_json(&q)),
        Some("connection_query") => check_connection_query(&query()).map(|q| connection_json(&q)),
        Some("connection_get_query") => {
            check_connection_get_query(&query()).map(|q| connection_json(&q))
        }
        Some("auth_query") => check_auth_query(&query())
            .map(|q| json!({"connection_id": q.connection_id(), "params": q.params()})),
        Some("auth_query_with_session_token") => check_auth_query(&query())
            .and_then(|q| q.check_with_session_token())
            .map(|()| Value::Null),
        Some("empty_query") => check_empty_query(&query()).map(|()| Value::Null),
        Some("providers_query") => check_providers_query(&query()).map(|s| json!({"search": s})),
        Some("connection_id_param") => check_connection_id_param(param()).map(|()| Value::Null),
        Some("integration_key_param") => check_integration_key_param(param()).map(|()| Value::Null),
        Some("provider_param") => check_provider_param(param()).map(|()| Value::Null),
        Some("path_param_not_text") => Err(path_param_not_text()),
        Some("empty_body") => check_empty_body(body).map(|()| Value::Null),
        Some("auth_body") => {
            let endpoint = match case["endpoint"].as_str() {
                Some("api_key") => AuthEndpoint::ApiKey,
                Some("basic") => AuthEndpoint::Basic,
                Some("unauthenticated") => AuthEndpoint::Unauthenticated,
                Some("oauth2_cc") => AuthEndpoint::OAuth2Cc,
                Some("two_step") => AuthEndpoint::TwoStep,
                Some("jwt") => AuthEndpoint::Jwt,
                Some("tba") => AuthEndpoint::Tba,
                Some("bill") => AuthEndpoint::Bill,
                Some("signature") => AuthEndpoint::Signature,
                Some("aws_sigv4") => AuthEndpoint::AwsSigV4,
                other => return Err(format!("unknown endpoint {other:?}")),
            };
            check_auth_body(endpoint, body)
        }
        Some("connection_patch") => check_connection_patch(body).map(|p| patch_json(&p)),
        Some("metadata_body") => check_metadata_body(body).map(|r| {
            json!({
                "connection_ids": r.connection_ids(),
                "provider_config_key": r.provider_config_key(),
                "metadata": r.metadata().value(),
            })
        }),
        Some("connect_session_body") => {
            check_connect_session_body(body).map(|r| json!({"tags": r.tags().to_json()}))
        }
        Some("reconnect_session_body") => {
            check_reconnect_session_body(body).map(|r| json!({"tags": r.tags().to_json()}))
        }
        other => return Err(format!("unknown check {other:?}")),
    };
    compare(result, &case["expect"])
}

fn compare(result: Result<Value, Rejection>, expect: &Value) -> Result<(), String> {
    match (result, expect.get("ok")) {
        (Ok(got), Some(want)) => {
            // Only the fields the case names (all of it when `ok` is not an object).
            let got = match want.as_object() {
                Some(fields) => Value::Object(
                    fields
                        .keys()
                        .map(|k| (k.clone(), got.get(k).cloned().unwrap_or(Value::Null)))
                        .collect::<Map<String, Value>>(),
                ),
                None => got,
            };
            if &got == want {
                Ok(())
            } else {
                Err(format!("value differs\n  want {want}\n  got  {got}"))
            }
        }
        (Err(rejection), None) => {
            crate::compare_issues(rejection.issues(), &expect["issues"])?;
            crate::compare_nango(rejection.nango(), &expect["nango"])?;
            match expect.get("merged_tags_overflow") {
                Some(want) if want.as_bool() != Some(rejection.is_merged_tags_overflow()) => {
                    Err(format!("merged_tags_overflow should be {want}"))
                }
                _ => Ok(()),
            }
        }
        (Ok(got), None) => Err(format!("expected a rejection, got ok {got}")),
        (Err(rejection), Some(_)) => Err(format!(
            "expected ok, got issues {:?} and nango {:?}",
            rejection.issues(),
            rejection.nango()
        )),
    }
}

fn list_json(q: &ListQuery) -> Value {
    json!({
        "connection_id": q.connection_id(),
        "search": q.search(),
        "end_user_id": q.end_user_id(),
        "integration_ids": q.integration_ids(),
        "end_user_organization_id": q.end_user_organization_id(),
        "tags": q.tags().to_json(),
        "limit": q.limit(),
        "offset": q.offset(),
    })
}

fn connection_json(q: &ConnectionQuery) -> Value {
    json!({"provider_config_key": q.provider_config_key(), "refresh_token": q.refresh_token()})
}

fn patch_json(p: &ConnectionPatch) -> Value {
    json!({
        "end_user": p.end_user(),
        "tags": p.tags().map(|t| t.to_json()),
        "changes_webhook_url_override": p.webhook_url_override().is_some(),
        "webhook_url_override": p.webhook_url_override().flatten(),
    })
}

//! Runner for `"kind": "session"` vectors (see the file's `about`): connkit's verdict on a
//! connect-session body (only the fields listed in `expect.ok` are compared), Nango's 400
//! `errors`, and `build_tags_from_end_user_json`.

use connkit_core::session::{
    ConnectSessionRequest, build_tags_from_end_user_json, nango_connect_session_errors,
    nango_reconnect_session_errors, validate_connect_session, validate_reconnect_session,
};
use serde_json::{Map, Value, json};

pub(crate) fn check(case: &Value) -> Result<(), String> {
    if let Some(input) = case.get("build_tags") {
        let got = build_tags_from_end_user_json(
            present(&input["end_user"]),
            present(&input["organization"]),
        )
        .to_json();
        let want = &case["tags"];
        // Key order matters: it is the order the session stores.
        let same_order = serde_json::to_string(&got).ok() == serde_json::to_string(want).ok();
        return if same_order {
            Ok(())
        } else {
            Err(format!("tags differ\n  want {want}\n  got  {got}"))
        };
    }
    let body = &case["body"];
    let (verdict, nango) = match case["endpoint"].as_str() {
        Some("create") => (
            validate_connect_session(body),
            nango_connect_session_errors(body),
        ),
        Some("reconnect") => (
            validate_reconnect_session(body),
            nango_reconnect_session_errors(body),
        ),
        other => return Err(format!("unknown endpoint {other:?}")),
    };
    let wanted: Vec<String> = case["expect"]["ok"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    crate::compare_result(verdict, &case["expect"], |req| {
        let full = render(req);
        Value::Object(
            wanted
                .iter()
                .map(|k| (k.clone(), full.get(k).cloned().unwrap_or(Value::Null)))
                .collect(),
        )
    })?;
    crate::compare_nango(&nango, &case["nango"])
}

/// A JSON `null` stands for "not given".
fn present(v: &Value) -> Option<&Value> {
    (!v.is_null()).then_some(v)
}

fn render(req: &ConnectSessionRequest) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert(
        "reconnect".into(),
        req.reconnect().map_or(
            Value::Null,
            |r| json!({"connection_id": r.connection_id(), "integration_id": r.integration_id()}),
        ),
    );
    out.insert(
        "end_user".into(),
        req.end_user().map_or(Value::Null, |eu| eu.to_json()),
    );
    out.insert(
        "organization".into(),
        req.organization().map_or(Value::Null, |o| o.to_json()),
    );
    out.insert(
        "allowed_integrations".into(),
        req.allowed_integrations().map_or(Value::Null, |a| json!(a)),
    );
    out.insert(
        "integrations_config_defaults".into(),
        req.integrations_config_defaults_json()
            .unwrap_or(Value::Null),
    );
    out.insert(
        "overrides".into(),
        req.overrides_json().unwrap_or(Value::Null),
    );
    out.insert(
        "docs_connect_override".into(),
        json!(req.overrides_docs_connect()),
    );
    out.insert(
        "webhook_url_override".into(),
        req.webhook_url_override().map_or(Value::Null, |u| json!(u)),
    );
    out.insert(
        "explicit_tags".into(),
        req.explicit_tags().map_or(Value::Null, |t| t.to_json()),
    );
    out.insert("tags".into(), req.tags().to_json());
    out
}

//! Runner for `"kind": "webhook"` vectors (see the file's `about`).

use connkit_core::tags::validate_tags;
use connkit_core::webhook::{
    AuthWebhook, Operation, WebhookEndUser, WebhookError, sign, stable_stringify, verify,
    verify_hmac,
};
use serde_json::{Value, json};

pub(crate) fn check(case: &Value) -> Result<(), String> {
    let expect = &case["expect"];
    let text = |key: &str| case[key].as_str().unwrap_or_default().to_owned();
    match case["mode"].as_str() {
        Some("body") => {
            let body = webhook(&case["webhook"])?.body();
            same(json!(body), &expect["ok"])
        }
        Some("stable") => same(json!(stable_stringify(&case["input"])), &expect["ok"]),
        Some("sign") => {
            let sigs = sign(&text("secret"), text("body").as_bytes());
            same(
                json!({"hmac_sha256": sigs.hmac_sha256, "legacy": sigs.legacy}),
                &expect["ok"],
            )
        }
        Some("verify") => {
            let headers = &case["headers"];
            let res = verify(
                &text("secret"),
                text("body").as_bytes(),
                headers["hmac"].as_str(),
                headers["legacy"].as_str(),
            );
            crate::compare_result(res, expect, |_| Value::Null)?;
            // `verify_hmac` is `@nangohq/node`'s check: it ignores the legacy header.
            let strict = verify_hmac(
                &text("secret"),
                text("body").as_bytes(),
                headers["hmac"].as_str(),
            );
            let node = case.get("node_accepts").and_then(Value::as_bool);
            match (node, strict.is_ok()) {
                (Some(want), got) if want != got => {
                    Err(format!("verify_hmac gave {got}, @nangohq/node gave {want}"))
                }
                _ => Ok(()),
            }
        }
        other => Err(format!("unknown mode {other:?}")),
    }
}

fn same(got: Value, want: &Value) -> Result<(), String> {
    if &got == want {
        Ok(())
    } else {
        Err(format!("want {want}\n  got  {got}"))
    }
}

fn webhook(spec: &Value) -> Result<AuthWebhook, String> {
    let s = |key: &str| spec[key].as_str().unwrap_or_default().to_owned();
    let operation = match spec["operation"].as_str() {
        Some("creation") => Operation::Creation,
        Some("override") => Operation::Override,
        Some("refresh") => Operation::Refresh,
        other => return Err(format!("unknown operation {other:?}")),
    };
    let tags = match spec.get("tags") {
        Some(tags) => Some(validate_tags(tags).map_err(|e| e.to_string())?),
        None => None,
    };
    let end_user = spec.get("end_user").map(|e| WebhookEndUser {
        end_user_id: e["end_user_id"].as_str().unwrap_or_default().to_owned(),
        end_user_email: e["end_user_email"].as_str().map(str::to_owned),
        organization_id: e["organization_id"].as_str().map(str::to_owned),
        tags: e["tags"].as_object().cloned(),
    });
    let error = spec.get("error").map(|e| WebhookError {
        kind: e["type"].as_str().unwrap_or_default().to_owned(),
        description: e["description"].as_str().unwrap_or_default().to_owned(),
    });
    Ok(AuthWebhook {
        connection_id: s("connection_id"),
        provider_config_key: s("provider_config_key"),
        auth_mode: s("auth_mode"),
        provider: s("provider"),
        environment: s("environment"),
        operation,
        tags,
        end_user,
        error,
    })
}

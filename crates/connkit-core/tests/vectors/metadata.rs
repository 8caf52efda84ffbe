//! Runner for `"kind": "metadata"` vectors (see the file's `about`).

use connkit_core::Issue;
use connkit_core::metadata::{merge_metadata, validate_metadata, validate_metadata_request};
use serde_json::{Value, json};

pub(crate) fn check(case: &Value) -> Result<(), String> {
    let input = &case["input"];
    let (result, warnings): (Result<Value, _>, Vec<Issue>) = match case["mode"].as_str() {
        Some("set") => split(
            validate_metadata(input)
                .map(|m| (Value::Object(m.value().clone()), m.warnings().to_vec())),
        ),
        Some("update") => {
            let existing = case["existing"].as_object().cloned().unwrap_or_default();
            split(
                merge_metadata(&existing, input)
                    .map(|m| (Value::Object(m.value().clone()), m.warnings().to_vec())),
            )
        }
        Some("request") => split(validate_metadata_request(input).map(|r| {
            let value = json!({
                "connection_ids": r.connection_ids(),
                "ids_were_array": r.ids_were_array(),
                "provider_config_key": r.provider_config_key(),
                "metadata": r.metadata().value(),
            });
            (value, r.metadata().warnings().to_vec())
        })),
        other => return Err(format!("unknown mode {other:?}")),
    };
    let expect = &case["expect"];
    let ok_expect = expect
        .get("ok")
        .map(|ok| json!({"ok": ok}))
        .unwrap_or_else(|| expect.clone());
    crate::compare_result(result, &ok_expect, Value::clone)?;
    if expect.get("ok").is_some() {
        crate::compare_issues(&warnings, expect.get("warnings").unwrap_or(&json!([])))?;
    }
    Ok(())
}

type Checked = Result<(Value, Vec<Issue>), connkit_core::ValidationError>;

fn split(res: Checked) -> (Result<Value, connkit_core::ValidationError>, Vec<Issue>) {
    match res {
        Ok((value, warnings)) => (Ok(value), warnings),
        Err(err) => (Err(err), Vec::new()),
    }
}

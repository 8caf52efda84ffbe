//! Runner for `"kind": "interpolation"` vectors (see the file's `about`).

use connkit_core::interpolate::{
    Encoding, Generated, interpolate_param, interpolate_proxy_base_url, interpolate_url,
    missing_interpolation_params, missing_keys, referenced_keys,
};
use serde_json::{Map, Value, json};

pub(crate) fn check(case: &Value) -> Result<(), String> {
    let template = case["template"]
        .as_str()
        .ok_or("template must be a string")?;
    let config: Map<String, Value> = case["connection_config"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let expect = &case["expect"];
    match case["mode"].as_str() {
        Some("url") => {
            let encoding = match case["encoding"].as_str() {
                Some("raw") => Encoding::Raw,
                _ => Encoding::Component,
            };
            crate::compare_result(
                interpolate_url(template, &config, encoding),
                expect,
                |url| json!(url),
            )
        }
        Some("proxy") => {
            let credentials = case["credentials"].as_object().cloned().unwrap_or_default();
            crate::compare_result(
                interpolate_proxy_base_url(template, &config, &credentials),
                expect,
                |url| json!(url),
            )
        }
        Some("missing_keys") => compare_list(missing_keys(template, &config), expect),
        Some("precheck") => crate::compare_result(
            missing_interpolation_params(template, &config),
            expect,
            |_| Value::Null,
        ),
        Some("referenced") => compare_list(referenced_keys(template), expect),
        Some("param") => {
            let generated = Generated {
                random: case["random"].as_str().unwrap_or(""),
                now: case["now"].as_str().unwrap_or(""),
            };
            let got = json!(interpolate_param(template, &config, generated));
            if got == expect["ok"] {
                Ok(())
            } else {
                Err(format!("want {}, got {got}", expect["ok"]))
            }
        }
        other => Err(format!("unknown mode {other:?}")),
    }
}

fn compare_list(got: Vec<String>, expect: &Value) -> Result<(), String> {
    let got = json!(got);
    if got == expect["ok"] {
        Ok(())
    } else {
        Err(format!("want {}, got {got}", expect["ok"]))
    }
}

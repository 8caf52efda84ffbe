//! The `interpolateUrl` export: `${connectionConfig.key}` placeholders of an authorization or
//! token URL template, filled and encoded as Nango does.
//!
//! Glue only: interpolation is connkit-core's. Knows nothing about forms, tags, sessions or
//! metadata.

use connkit_core::JsonType;
use connkit_core::interpolate::{Encoding, interpolate_url as interpolate};
use wasm_bindgen::prelude::*;

use crate::read::{object_arg, option, option_issue, string_arg};
use crate::write::{failure_of, result};

/// Interpolates `${connectionConfig.key}` placeholders of an authorization or token URL template.
#[wasm_bindgen(js_name = interpolateUrl)]
pub fn interpolate_url(template: JsValue, connection_config: JsValue, options: JsValue) -> JsValue {
    let template = match string_arg(&template, "template") {
        Ok(it) => it,
        Err(issue) => return failure_of(&issue),
    };
    let config = match object_arg(&connection_config, "connectionConfig", true) {
        Ok(it) => it,
        Err(issue) => return failure_of(&issue),
    };
    let encoding = match option(&options, "encoding").map(|e| e.as_string()) {
        None => Encoding::Component,
        Some(Some(name)) if name == "component" => Encoding::Component,
        Some(Some(name)) if name == "raw" => Encoding::Raw,
        Some(_) => return failure_of(&option_issue("encoding", JsonType::String)),
    };
    result(interpolate(&template, &config, encoding), |url| {
        JsValue::from_str(&url)
    })
}

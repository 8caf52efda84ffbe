//! The `parseCatalogue` export: Nango's providers.yaml document, given as JSON, read into its
//! providers in file order with aliases resolved.
//!
//! Glue only: the catalogue's rules are connkit-core's. Knows nothing about forms, tags,
//! sessions or metadata.

use connkit_core::catalogue::Catalogue;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::js;
use crate::prelude::*;
use crate::read::json;
use crate::write::{failure, failure_of, issues, object, to_js};

/// Reads Nango's providers.yaml document (as JSON): the providers in file order, aliases resolved.
#[wasm_bindgen(js_name = parseCatalogue)]
pub fn parse_catalogue(document: JsValue) -> JsValue {
    let document = match json(&document) {
        Ok(it) => it,
        Err(issue) => return failure_of(&issue),
    };
    match Catalogue::from_json(&document) {
        Ok(catalogue) => {
            let providers: Vec<Value> = catalogue
                .iter()
                .map(|p| {
                    object(vec![
                        ("name", p.name().into()),
                        ("aliasOf", p.alias_of().into()),
                        ("entry", Value::Object(p.json().clone())),
                    ])
                })
                .collect();
            js::ok_warn(to_js(&Value::Array(providers)), issues(catalogue.issues()))
        }
        Err(err) => failure(&err),
    }
}

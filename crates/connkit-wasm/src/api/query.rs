//! The `parseTagFilterQuery` export: the `tags[key]=value` filter of a `GET /connections` query
//! string, read with qs 6.15.3's rules (too big for the `filter` module, so a module of its own).
//!
//! Glue only: the query rules are connkit-core's. Knows nothing about forms, sessions or
//! metadata.

use connkit_core::tag_filter::parse_tag_filter;
use wasm_bindgen::prelude::*;

use crate::read::string_arg;
use crate::write::{failure_of, result, strings};

/// Parses the `tags[key]=value` filter of a query string (`GET /connections`).
#[wasm_bindgen(js_name = parseTagFilterQuery)]
pub fn parse_tag_filter_query(query: JsValue) -> JsValue {
    match string_arg(&query, "query") {
        Ok(query) => result(parse_tag_filter(&query), |filter| strings(filter.iter())),
        Err(issue) => failure_of(&issue),
    }
}

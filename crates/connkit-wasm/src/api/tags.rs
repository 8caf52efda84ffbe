//! Exports of the `tags` module besides `validateTags` (`tags_buffer.rs`): `isEmail` and
//! `errorCodes`.
//!
//! Glue only: every verdict is connkit-core's. Knows nothing about tag filters, forms, sessions
//! or metadata (they live in other modules, so an app that only checks tags loads little).

use connkit_core::ErrorCode;
use wasm_bindgen::prelude::*;

/// zod 4.0.5's `z.string().email()` verdict (what Nango checks `end_user.email` with).
#[wasm_bindgen(js_name = isEmail)]
pub fn is_email(value: JsValue) -> bool {
    value
        .as_string()
        .is_some_and(|s| connkit_core::email::is_valid_email(&s))
}

/// Every error code, in declaration order.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<JsValue> {
    ErrorCode::ALL
        .iter()
        .map(|c| JsValue::from_str(c.as_str()))
        .collect()
}

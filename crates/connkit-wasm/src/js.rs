//! The JavaScript this crate calls: the result builders of `js/helpers.js`, the RegExp runner of
//! `js/regexp.js`, the built forms of `js/forms.js`, and the few engine functions that can run
//! user code (proxy traps, getters) and so are imported with `catch`.
//!
//! Knows nothing about rules or about which export uses what.

use connkit_core::JsonType;
use wasm_bindgen::prelude::*;

use crate::prelude::*;

#[wasm_bindgen(module = "/js/helpers.js")]
extern "C" {
    /// `{ ok: true, value }`.
    pub(crate) fn ok(value: JsValue) -> JsValue;
    /// `{ ok: true, value, warnings }`.
    #[wasm_bindgen(js_name = okWarn)]
    pub(crate) fn ok_warn(value: JsValue, warnings: JsValue) -> JsValue;
    /// `{ ok: false, issues }`.
    pub(crate) fn fail(issues: JsValue) -> JsValue;
    /// `{ code, path, message, severity }`.
    pub(crate) fn issue(code: &str, path: JsValue, message: &str, severity: &str) -> JsValue;
    /// Defines an own enumerable property (also for `"__proto__"`).
    pub(crate) fn put(object: &JsValue, key: &JsValue, value: &JsValue);
}

// The forms `buildForm` built, by the form object it returned (only the form module imports it).
#[wasm_bindgen(module = "/js/forms.js")]
extern "C" {
    /// Keeps `code` (`api/kept_form.rs`) for the form object `view`.
    #[wasm_bindgen(js_name = keepForm)]
    pub(crate) fn keep_form(view: &JsValue, code: &str, memory: &JsValue);
    /// The code kept for `view`, if `view` is a form object `buildForm` returned.
    #[wasm_bindgen(js_name = keptForm)]
    pub(crate) fn kept_form(view: &JsValue) -> Option<String>;
    /// Writes the values of a keystroke on the form object `view` as `api/keystroke.rs` lays
    /// them out into the `room` bytes at `at`; the bytes written, or -1 when `view` is no such
    /// object.
    #[wasm_bindgen(js_name = readKeystroke)]
    pub(crate) fn read_keystroke(
        view: &JsValue,
        values: &JsValue,
        options: &JsValue,
        at: u32,
        room: u32,
    ) -> i32;
    /// The verdict of the form's pattern `k` on pair `i`'s value (`api/keystroke.rs`).
    #[wasm_bindgen(js_name = testKept)]
    pub(crate) fn test_kept(k: u32, i: i32) -> u32;
    /// [`test_kept`] after compiling `pattern` as the form's pattern `k`.
    #[wasm_bindgen(js_name = compileKept)]
    pub(crate) fn compile_kept(k: u32, pattern: &str, i: i32) -> u32;
    /// `{ ok: true, value, warnings }` from the keystroke's pairs numbered by the `n` words at
    /// `at` (little-endian).
    #[wasm_bindgen(js_name = keptOk)]
    pub(crate) fn kept_ok(at: u32, n: u32, warnings: JsValue) -> JsValue;
}

// A module of its own, so that only the modules that run patterns import it.
#[wasm_bindgen(module = "/js/regexp.js")]
extern "C" {
    /// `new RegExp(pattern).test(input)`, or the SyntaxError message as a string.
    #[wasm_bindgen(js_name = regexpTest)]
    pub(crate) fn regexp_test(pattern: &str, input: &str) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    /// `Object.keys(value)`; throws for revoked proxies or throwing `ownKeys` traps.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    pub(crate) fn object_keys(value: &JsValue) -> Result<js_sys::Array, JsValue>;
    /// `Array.isArray(value)`; throws for revoked proxies.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    pub(crate) fn is_array(value: &JsValue) -> Result<bool, JsValue>;
}

/// `Reflect.get(object, key)`, or `None` when a getter or trap throws.
pub(crate) fn get(object: &JsValue, key: &JsValue) -> Option<JsValue> {
    js_sys::Reflect::get(object, key).ok()
}

/// The JSON type of a JavaScript value; `Other` for functions, symbols, bigints and objects that
/// cannot be inspected. Never runs user code except a proxy's `isArray` check.
pub(crate) fn type_of(value: &JsValue) -> JsonType {
    if value.is_string() {
        JsonType::String
    } else if value.is_object() {
        match is_array(value) {
            Ok(true) => JsonType::Array,
            Ok(false) => JsonType::Object,
            Err(_) => JsonType::Other,
        }
    } else if value.is_undefined() {
        JsonType::Undefined
    } else if value.is_null() {
        JsonType::Null
    } else if value.as_f64().is_some() {
        JsonType::Number
    } else if value.as_bool().is_some() {
        JsonType::Boolean
    } else {
        JsonType::Other
    }
}

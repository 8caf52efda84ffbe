//! providers.yaml `pattern`s matched by the browser's own `RegExp`, and `format: uri` values
//! parsed by its own `URL`, exactly as Connect UI does (`new RegExp(pattern).test(value)`, zod's
//! `new URL(value)`, spec §4.3): connkit-core's `PatternMatcher` for the widget, which so leaves
//! core's URL parser out of its wasm.
//!
//! Knows nothing about fields; never throws (an invalid pattern is an `Err`, as core expects).

use connkit_core::pattern::{PatternMatcher, PatternUnusable};
use js_sys::{Array, Function, Reflect, RegExp};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Url;

/// The JavaScript engine's `RegExp`.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsRegExp;

impl PatternMatcher for JsRegExp {
    fn test(&self, pattern: &str, input: &str) -> Result<bool, PatternUnusable> {
        // `Reflect.construct` reports the SyntaxError of a bad pattern instead of throwing.
        let constructor: Function = RegExp::new("", "").constructor();
        let args = Array::of1(&JsValue::from_str(pattern));
        let made = Reflect::construct(&constructor, &args).map_err(|err| {
            PatternUnusable::new(err.as_string().unwrap_or_else(|| "SyntaxError".into()))
        })?;
        let regexp: RegExp = made
            .dyn_into()
            .map_err(|_| PatternUnusable::new("not a RegExp"))?;
        Ok(regexp.test(input))
    }

    fn url_can_parse(&self, input: &str) -> bool {
        // `new URL` throws on what it cannot parse; the binding returns that as an `Err`.
        Url::new(input).is_ok()
    }
}

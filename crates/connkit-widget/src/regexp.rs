//! providers.yaml `pattern`s matched by the browser's own `RegExp`, exactly as Connect UI does
//! (`new RegExp(pattern).test(value)`, spec §4.3): connkit-core's `PatternMatcher` for the widget.
//!
//! Knows nothing about fields; never throws (an invalid pattern is an `Err`, as core expects).

use connkit_core::pattern::{PatternMatcher, PatternUnusable};
use js_sys::{Array, Function, Reflect, RegExp};
use wasm_bindgen::{JsCast, JsValue};

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
}

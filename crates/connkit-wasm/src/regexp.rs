//! `pattern` fields matched by the JavaScript engine's own `RegExp`: connkit-core's
//! [`PatternMatcher`] implemented with `new RegExp(pattern).test(input)`, so a pattern behaves
//! exactly as it does in Connect UI.
//!
//! Knows nothing about fields or forms. One gap: a Rust string cannot hold a lone UTF-16
//! surrogate, so such input reaches the engine with U+FFFD in its place.

use connkit_core::pattern::{PatternMatcher, PatternUnusable};

/// The host's RegExp (see `js/regexp.js`, which caches compiled patterns).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct JsRegExp;

impl PatternMatcher for JsRegExp {
    fn test(&self, pattern: &str, input: &str) -> Result<bool, PatternUnusable> {
        let verdict = crate::js::regexp_test(pattern, input);
        match verdict.as_bool() {
            Some(matched) => Ok(matched),
            None => Err(PatternUnusable::new(
                verdict.as_string().unwrap_or_default(),
            )),
        }
    }
}

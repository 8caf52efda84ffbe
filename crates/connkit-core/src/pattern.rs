//! JavaScript regular expressions as providers.yaml uses them: `new RegExp(pattern).test(input)`,
//! no flags, not anchored (spec §4.3, §5.3).
//!
//! Rules ask a [`PatternMatcher`]; they never compile a pattern themselves. The native engine,
//! [`EcmaRegex`] (crate `regress`, feature `ecmascript-regex`), keeps a bounded cache of compiled
//! patterns that threads can share. JavaScript hosts implement the trait with their own `RegExp`.
//!
//! Knows nothing about fields, forms or providers, and never uses the `regex` crate (its syntax
//! and Unicode defaults differ from JavaScript's).

use core::fmt;

use crate::prelude::*;

/// Why a pattern cannot be used: it is not a valid JavaScript regular expression (without flags).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PatternUnusable {
    reason: String,
}

impl PatternUnusable {
    /// An unusable pattern, with the engine's explanation (for people, not for matching on).
    pub fn new(reason: impl Into<String>) -> PatternUnusable {
        PatternUnusable {
            reason: reason.into(),
        }
    }

    /// The engine's explanation.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for PatternUnusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unusable pattern: {}", self.reason)
    }
}

impl core::error::Error for PatternUnusable {}

/// Matches a JavaScript regular expression source against a string.
pub trait PatternMatcher {
    /// `new RegExp(pattern).test(input)`: no flags, a match anywhere in `input` counts.
    ///
    /// Errors when `pattern` is not a valid regular expression (JavaScript's `new RegExp` throws).
    fn test(&self, pattern: &str, input: &str) -> Result<bool, PatternUnusable>;

    /// Whether `pattern` compiles, without caring about a match.
    fn check(&self, pattern: &str) -> Result<(), PatternUnusable> {
        self.test(pattern, "").map(|_| ())
    }

    /// Whether `new URL(input)` succeeds: zod's `url()`, which a field of `format: uri` passes
    /// (spec §4.3). Core's own WHATWG parser, [`crate::js::url_can_parse`], unless the host is a
    /// JavaScript engine with its own `URL`: then the engine's verdict is zod's by definition,
    /// and a binary whose only matcher overrides this leaves core's parser out. Only with the
    /// `engine-url` feature: without it, fields use core's parser directly, and no matcher's
    /// vtable carries one more method.
    #[cfg(feature = "engine-url")]
    fn url_can_parse(&self, input: &str) -> bool {
        crate::js::url_can_parse(input)
    }
}

impl<M: PatternMatcher + ?Sized> PatternMatcher for &M {
    fn test(&self, pattern: &str, input: &str) -> Result<bool, PatternUnusable> {
        (**self).test(pattern, input)
    }

    fn check(&self, pattern: &str) -> Result<(), PatternUnusable> {
        (**self).check(pattern)
    }
    #[cfg(feature = "engine-url")]
    fn url_can_parse(&self, input: &str) -> bool {
        (**self).url_can_parse(input)
    }
}

#[cfg(feature = "ecmascript-regex")]
pub use native::EcmaRegex;

/// `(X)?` and `(X){0,1}` (greedy, on a capturing, non-capturing or named group) rewritten as
/// `(?:(X)|)`, which matches exactly the same strings; `None` when nothing changes.
///
/// Lookarounds, lazy `??` and groups followed by another quantifier character are left alone,
/// so the rewrite never turns an invalid pattern into a valid one. Escapes and character classes
/// are skipped the way JavaScript's non-Unicode syntax reads them (`[]` is an empty class).
#[cfg_attr(not(feature = "ecmascript-regex"), allow(dead_code))]
fn rewrite_optional_groups(pattern: &str) -> Option<String> {
    let b = pattern.as_bytes();
    let at = |i: usize| b.get(i).copied();
    let mut opens: Vec<(usize, bool)> = Vec::new();
    let mut edits: Vec<(usize, usize, &str)> = Vec::new(); // (start, removed bytes, inserted text)
    let (mut i, mut in_class) = (0, false);
    while let Some(c) = at(i) {
        match c {
            b'\\' => i += 1,
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'(' if !in_class => {
                let lookaround = at(i + 1) == Some(b'?')
                    && (matches!(at(i + 2), Some(b'=' | b'!'))
                        || (at(i + 2) == Some(b'<') && matches!(at(i + 3), Some(b'=' | b'!'))));
                opens.push((i, !lookaround));
            }
            b')' if !in_class => {
                let quantifier = if at(i + 1) == Some(b'?') {
                    1
                } else if b.get(i + 1..i + 6) == Some(b"{0,1}".as_slice()) {
                    5
                } else {
                    0
                };
                let followed_by_quantifier =
                    matches!(at(i + 1 + quantifier), Some(b'?' | b'*' | b'+' | b'{'));
                if let Some((open, rewritable)) = opens.pop()
                    && rewritable
                    && quantifier > 0
                    && !followed_by_quantifier
                {
                    edits.push((open, 0, "(?:"));
                    edits.push((i, 1 + quantifier, ")|)"));
                }
            }
            _ => {}
        }
        i += 1;
    }
    if edits.is_empty() {
        return None;
    }
    edits.sort_by_key(|e| e.0);
    let mut out = String::with_capacity(pattern.len() + 4 * edits.len());
    let mut copied = 0;
    for (start, removed, text) in edits {
        out.push_str(pattern.get(copied..start)?);
        out.push_str(text);
        copied = start + removed;
    }
    out.push_str(pattern.get(copied..)?);
    Some(out)
}

#[cfg(feature = "ecmascript-regex")]
mod native {
    use core::fmt;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, MutexGuard};

    use super::{PatternMatcher, PatternUnusable};
    use crate::prelude::*;

    type Compiled = Result<Arc<regress::Regex>, PatternUnusable>;

    /// The native ECMAScript engine (`regress`), with a bounded cache of compiled patterns.
    ///
    /// `Send + Sync`: one instance can serve every thread. Compile errors are cached too.
    ///
    /// Patterns compile without flags, as JavaScript's non-Unicode mode: `\d`, `\w` and `\b` are
    /// ASCII-only, `\s` is Unicode white space, `.` stops at line terminators, and Annex B syntax
    /// (`\/`, a lone `]` or `{`, …) is accepted. One gap remains: JavaScript without the `u` flag
    /// sees a character outside the Basic Multilingual Plane (an emoji, say) as two UTF-16 code
    /// units, while this engine sees one character, so `^.$` matches `"😀"` here and not in
    /// JavaScript. No providers.yaml pattern depends on it.
    ///
    /// regress 0.12 backtracks exponentially on a group quantified with `?` or `{0,1}` that holds
    /// a bounded repetition inside a `*` loop, where JavaScript engines are linear: Salesforce's
    /// `hostname` pattern takes minutes on a 130-character token pasted into the field. Such
    /// groups run as the equivalent `(?:(…)|)` (same verdict for `test`, also with
    /// back-references); whether a pattern is usable is still decided on its original source.
    pub struct EcmaRegex {
        cache: Mutex<HashMap<String, Compiled>>,
        capacity: usize,
    }

    impl EcmaRegex {
        /// How many compiled patterns an engine keeps by default. providers.yaml has about 250
        /// distinct patterns, so the whole catalogue fits.
        pub const DEFAULT_CAPACITY: usize = 1024;

        /// An engine caching up to [`EcmaRegex::DEFAULT_CAPACITY`] patterns.
        pub fn new() -> EcmaRegex {
            EcmaRegex::with_capacity(EcmaRegex::DEFAULT_CAPACITY)
        }

        /// An engine caching up to `capacity` patterns (at least one).
        pub fn with_capacity(capacity: usize) -> EcmaRegex {
            EcmaRegex {
                cache: Mutex::new(HashMap::new()),
                capacity: capacity.max(1),
            }
        }

        /// How many patterns are cached now.
        pub fn cached(&self) -> usize {
            self.lock().len()
        }

        fn lock(&self) -> MutexGuard<'_, HashMap<String, Compiled>> {
            // A panic elsewhere while holding the lock leaves the map intact: keep using it.
            self.cache
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }

        fn compiled(&self, pattern: &str) -> Compiled {
            if let Some(hit) = self.lock().get(pattern) {
                return hit.clone();
            }
            // Compile without holding the lock; a race only compiles a pattern twice.
            let compiled = compile(pattern);
            let mut cache = self.lock();
            if cache.len() >= self.capacity && !cache.contains_key(pattern) {
                // Evict one arbitrary entry: cheap, and the bound is all that matters here.
                if let Some(victim) = cache.keys().next().cloned() {
                    cache.remove(&victim);
                }
            }
            cache.insert(pattern.to_owned(), compiled.clone());
            compiled
        }
    }

    /// Compiles `pattern` as `new RegExp(pattern)` would: the original source decides whether
    /// it is usable; the source actually run has optional groups rewritten (see [`EcmaRegex`]).
    fn compile(pattern: &str) -> Compiled {
        let flags = regress::Flags::default();
        let original = regress::Regex::with_flags(pattern, flags)
            .map_err(|err| PatternUnusable::new(err.to_string()))?;
        let safer = super::rewrite_optional_groups(pattern)
            .and_then(|source| regress::Regex::with_flags(&source, flags).ok());
        Ok(Arc::new(safer.unwrap_or(original)))
    }

    impl Default for EcmaRegex {
        fn default() -> EcmaRegex {
            EcmaRegex::new()
        }
    }

    impl fmt::Debug for EcmaRegex {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("EcmaRegex")
                .field("cached", &self.cached())
                .field("capacity", &self.capacity)
                .finish()
        }
    }

    impl PatternMatcher for EcmaRegex {
        fn test(&self, pattern: &str, input: &str) -> Result<bool, PatternUnusable> {
            let regex = self.compiled(pattern)?;
            Ok(regex.find(input).is_some())
        }

        fn check(&self, pattern: &str) -> Result<(), PatternUnusable> {
            self.compiled(pattern).map(|_| ())
        }
    }
}

#[cfg(all(test, feature = "ecmascript-regex"))]
mod tests {
    use super::*;

    fn t(pattern: &str, input: &str) -> bool {
        EcmaRegex::new()
            .test(pattern, input)
            .unwrap_or_else(|e| panic!("{pattern}: {e}"))
    }

    #[test]
    fn shareable_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<EcmaRegex>();
        let engine = std::sync::Arc::new(EcmaRegex::new());
        let handles: Vec<_> = (0..4)
            .map(|n| {
                let engine = engine.clone();
                std::thread::spawn(move || engine.test("^[0-9]+$", &n.to_string()))
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.join().ok(), Some(Ok(true)));
        }
    }

    #[test]
    fn unanchored_like_regexp_test() {
        assert!(t(
            r"api-[a-z0-9]+\.duosecurity\.com",
            "https://api-1234abcd.duosecurity.com/x"
        ));
        assert!(!t(
            r"api-[a-z0-9]+\.duosecurity\.com",
            "api-.duosecurity.com"
        ));
        assert!(t(
            r"\b[a-f0-9]{40}\b",
            &format!("token {} end", "a".repeat(40))
        ));
        assert!(!t(r"\b[a-f0-9]{40}\b", &"a".repeat(41)));
        assert!(t(r"^https:\/\/[a-z]+\/$", "https://abc/"));
    }

    #[test]
    fn negative_lookahead_as_in_salesforce() {
        // providers.yaml, salesforce `hostname`.
        let p = r"^(?!(?:.*\.)?[Ll][Ii][Gg][Hh][Tt][Nn][Ii][Nn][Gg]\.([Ff][Oo][Rr][Cc][Ee]|[Ss][Aa][Ll][Ee][Ss][Ff][Oo][Rr][Cc][Ee])\.[Cc][Oo][Mm]$)[a-zA-Z0-9]([a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?)*$";
        assert!(t(p, "acme.my.salesforce.com"));
        assert!(!t(p, "acme.lightning.force.com"));
        assert!(!t(p, "acme.Lightning.Force.com"));
    }

    #[test]
    fn non_unicode_classes_are_ascii() {
        assert!(!t(r"^\d$", "٣")); // Arabic-Indic digit three
        assert!(!t(r"^\w$", "é"));
        assert!(t(r"^\s$", "\u{a0}"));
        assert!(!t(r"^.$", "\n"));
        assert!(t(r"^[^]$", "\n"));
        assert!(t(r"a\b", "a é"));
    }

    #[test]
    fn invalid_patterns_are_unusable_and_cached() {
        let engine = EcmaRegex::with_capacity(2);
        assert!(engine.test("[z-a]", "x").is_err());
        assert!(engine.check("(").is_err());
        assert!(engine.check("^ok$").is_ok());
        assert!(engine.cached() <= 2);
        assert!(engine.check("[b-a]").is_err());
        assert!(engine.cached() <= 2);
        assert!(EcmaRegex::with_capacity(0).check("a").is_ok());
    }

    #[test]
    fn optional_groups_are_rewritten_only_where_safe() {
        let r = |p: &str| rewrite_optional_groups(p);
        assert_eq!(
            r(r"^a(\.[a-z]([a-z]{0,61}[a-z])?)*$").as_deref(),
            Some(r"^a(\.[a-z](?:([a-z]{0,61}[a-z])|))*$")
        );
        assert_eq!(r("(?:a){0,1}b").as_deref(), Some("(?:(?:a)|)b"));
        assert_eq!(r("(?<n>a)?").as_deref(), Some("(?:(?<n>a)|)"));
        assert_eq!(r("((a)?)?").as_deref(), Some("(?:((?:(a)|))|)"));
        for unchanged in [
            "(a)??", "(a)?*", "(a)?{2}", "(?=a)?", "(?<=a)?", r"\(a)?", "[(]a)?", "[]a)?", "a?",
            "(a)", "(a){0,2}", ")?", "é(ü)+",
        ] {
            assert_eq!(r(unchanged), None, "{unchanged}");
        }
        assert_eq!(r("[]](a)?").as_deref(), Some("[]](?:(a)|)"));
        assert_eq!(r("é(ü)?").as_deref(), Some("é(?:(ü)|)"));
    }

    #[test]
    fn nested_optional_groups_stay_fast() {
        // regress 0.12 alone takes minutes on this (see EcmaRegex's docs).
        let p = r"^[a-zA-Z0-9]([a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?)*$";
        let input = format!("a.{}.{}", "b".repeat(40), "c".repeat(70));
        let started = std::time::Instant::now();
        assert!(!t(p, &input));
        assert!(t(p, "a.b.c"));
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // Invalid stays invalid, valid stays valid.
        assert!(EcmaRegex::new().check("(a)?*").is_err());
        assert!(t("^(a)?\\1b$", "b") && t("^(a)?\\1b$", "aab") && !t("^(a)?\\1b$", "ab"));
    }

    #[test]
    fn annex_b_syntax_is_accepted() {
        for p in ["]", "{", "a{,2}", r"\-", r"\c", r"[\w-.]", r"\1"] {
            assert!(EcmaRegex::new().check(p).is_ok(), "{p}");
        }
    }
}

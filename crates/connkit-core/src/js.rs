//! The JavaScript semantics Nango's rules inherit, the layer every rule module stands on:
//! string length in UTF-16 code units, truncation like `String.prototype.slice`, `toLowerCase`
//! and the order of an object's own keys (here); `Number(value)` and `String(number)`
//! (`number.rs`, decimal text read by `decimal.rs`); `encodeURIComponent` and
//! `decodeURIComponent`, and `URLSearchParams`'s `toString` (`uri.rs`); the WHATWG URL parser
//! behind `new URL(s)` and `URLSearchParams` (`url.rs`); Node's `querystring.stringify` and
//! `String(value)` (`querystring.rs`); `Date`'s ISO strings (`date.rs`); `Buffer`'s base64
//! (`base64.rs`); dayjs's UTC `format` and `add` (`dayjs.rs`); `JSON.stringify` (`json.rs`).
//!
//! Knows nothing about any rule: it imports no rule module (tidy's module-edge table holds it
//! to that), and the rule modules call it.

use crate::prelude::*;

mod base64;
mod date;
mod dayjs;
mod decimal;
mod json;
mod number;
mod querystring;
mod uri;
pub(crate) mod url;

pub use base64::{base64, base64_decode, base64url};
pub use date::{parse_date, to_iso_string};
pub use dayjs::{dayjs_add, dayjs_format};
pub(crate) use decimal::parse_f64;
pub use json::json_stringify;
pub(crate) use json::write_json;
pub use number::push_decimal;
pub use number::to_number;
pub(crate) use number::{is_whole, js_number_string, round, shortest_digits};
pub use querystring::{querystring_stringify, to_js_string};
pub(crate) use uri::push_percent_escape;
pub use uri::{decode_uri_component, encode_uri_component, url_search_params};
pub use url::url_can_parse;
#[cfg(feature = "oauth2")]
pub use url::{form_decode, form_parse};

/// `s.length` in JavaScript: the number of UTF-16 code units.
pub fn js_len(s: &str) -> usize {
    // ASCII fast path: one unit per byte.
    if s.is_ascii() {
        return s.len();
    }
    s.chars().map(char::len_utf16).sum()
}

/// `s.toLowerCase()` in JavaScript as anything that reads only ASCII sees it, without Unicode's
/// case tables: ASCII letters are lowercased, and the two non-ASCII characters whose lowercase
/// holds ASCII are mapped (U+0130 `İ` → `i` U+0307, U+212A KELVIN SIGN → `k`); every other
/// character is kept as it is.
///
/// The lowercase of every other non-ASCII character is one non-ASCII character of the same UTF-16
/// length (a test checks each one), so the result has the same UTF-16 length as
/// `toLowerCase()`'s, the same ASCII characters in the same places, and a non-ASCII character
/// wherever that has one. Hence the same verdicts for what the rules ask of a lowercased string:
/// the tag-key pattern after `slice(0, 64)`, forbidden host code points, control characters and
/// white space, the `nango.dev` check. (Unicode's tables would cost the npm package's `connect`
/// module about 7 KB gzip.)
pub fn js_to_lower_case_ascii_view(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(s.len() + 1);
    for c in s.chars() {
        match c {
            '\u{130}' => out.push_str("i\u{307}"),
            '\u{212A}' => out.push('k'),
            c => out.push(c.to_ascii_lowercase()),
        }
    }
    out
}

/// `s.slice(0, max)` in JavaScript, except that a surrogate pair cut in half is dropped
/// entirely (a Rust string cannot hold half a pair).
pub fn js_truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s; // UTF-16 length never exceeds the UTF-8 length
    }
    let mut units = 0;
    for (idx, ch) in s.char_indices() {
        units += ch.len_utf16();
        if units > max {
            return s.get(..idx).unwrap_or(s);
        }
    }
    s
}

/// JavaScript's `\s`.
#[cfg(feature = "modes")]
pub(crate) fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// `String.prototype.trim`.
#[cfg(feature = "modes")]
pub(crate) fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_whitespace)
}

/// True if `key` is an array index ("0", "17", not "01", below 2³² − 1): JavaScript lists such
/// keys first, in numeric order, before every other own key.
pub fn is_array_index(key: &str) -> bool {
    let bytes = key.as_bytes();
    if bytes.is_empty() || bytes.len() > 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    if bytes.len() > 1 && bytes[0] == b'0' {
        return false;
    }
    key.parse::<u64>().is_ok_and(|n| n < u64::from(u32::MAX))
}

/// The order in which JavaScript enumerates the own keys of an object built from `keys`
/// (given in insertion order): array indexes ascending, then the rest in insertion order.
/// Returns positions into `keys`.
pub fn js_key_order<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<usize> {
    // The generic part stays this one line: the rest (a sort) would otherwise be compiled once
    // per caller, about 1.5 KB of wasm each.
    key_order(keys.into_iter().collect())
}

fn key_order(keys: Vec<&str>) -> Vec<usize> {
    if !keys.iter().any(|k| is_array_index(k)) {
        return (0..keys.len()).collect();
    }
    let sort_keys: Vec<(u8, u64)> = keys
        .iter()
        .map(|k| {
            if is_array_index(k) {
                (0, k.parse::<u64>().unwrap_or(0))
            } else {
                (1, 0)
            }
        })
        .collect();
    // A stable sort keeps insertion order among the non-index keys.
    stable_order(&sort_keys)
}

/// Positions `0..keys.len()` in ascending order of their keys, equal keys in position order.
/// Shared by the own-key order and the form's field order.
pub(crate) fn stable_order(keys: &[(u8, u64)]) -> Vec<usize> {
    stable_order_by(keys.len(), |a, b| keys.get(a) <= keys.get(b))
}

/// Positions `0..len` sorted by `in_order(a, b)` ("`a` may come before `b`"), ties in position
/// order. A bottom-up merge sort: stable and O(n log n) like `sort_by`, in a few hundred bytes
/// of wasm where each `sort_by` with its own closure is about 4.5 KB.
pub(crate) fn stable_order_by(len: usize, in_order: impl Fn(usize, usize) -> bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut merged: Vec<usize> = vec![0; len];
    let mut width = 1_usize;
    while width < len {
        let mut start = 0;
        while start < len {
            let mid = start.saturating_add(width).min(len);
            let end = start.saturating_add(width.saturating_mul(2)).min(len);
            // Merge the sorted runs order[start..mid] and order[mid..end], left first on ties.
            let (mut left, mut right) = (start, mid);
            for slot in merged.iter_mut().take(end).skip(start) {
                let from_left = right >= end || (left < mid && in_order(order[left], order[right]));
                if from_left {
                    *slot = order[left];
                    left += 1;
                } else {
                    *slot = order[right];
                    right += 1;
                }
            }
            start = end;
        }
        core::mem::swap(&mut order, &mut merged);
        width = width.saturating_mul(2);
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `js_to_lower_case_ascii_view` relies on, for every character: its lowercase (Unicode's,
    /// which JavaScript's `toLowerCase` follows) is itself, holds ASCII only for the two characters
    /// it maps, and is otherwise one non-ASCII character of the same UTF-16 length.
    #[test]
    fn the_ascii_view_of_lower_case_agrees_with_unicode_wherever_ascii_can_tell() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let mut buf = [0u8; 4];
            let one: &str = c.encode_utf8(&mut buf);
            let full = one.to_lowercase();
            let view = js_to_lower_case_ascii_view(one);
            if c.is_ascii() || c == '\u{130}' || c == '\u{212A}' {
                assert_eq!(view, full, "U+{:04X}", c as u32);
                continue;
            }
            let mut lower = full.chars();
            let (Some(l), None) = (lower.next(), lower.next()) else {
                panic!("U+{:04X} lowercases to more than one character", c as u32);
            };
            assert!(!l.is_ascii(), "U+{:04X}", c as u32);
            assert_eq!(l.len_utf16(), c.len_utf16(), "U+{:04X}", c as u32);
            assert_eq!(view, one);
        }
        // Words: final sigma and the two mapped characters in context.
        for word in ["ΟΔΟΣ", "İstanbul", "\u{212A}elvin", "Ab\u{212A}Σ.É"] {
            let (full, view) = (word.to_lowercase(), js_to_lower_case_ascii_view(word));
            assert_eq!(js_len(&full), js_len(&view), "{word}");
            let ascii = |s: &str| {
                s.encode_utf16()
                    .map(|u| (u < 0x80).then_some(u))
                    .collect::<Vec<_>>()
            };
            assert_eq!(ascii(&full), ascii(&view), "{word}");
        }
    }

    #[test]
    fn length_counts_utf16_units() {
        assert_eq!(js_len("abc"), 3);
        assert_eq!(js_len("é"), 1);
        assert_eq!(js_len("😀"), 2);
        assert_eq!(js_len(&"😀".repeat(128)), 256);
    }

    #[test]
    fn truncation_drops_a_split_pair() {
        assert_eq!(js_truncate("abcdef", 3), "abc");
        assert_eq!(js_truncate("a😀b", 2), "a");
        assert_eq!(js_truncate("a😀b", 3), "a😀");
        assert_eq!(js_truncate("é", 5), "é");
    }

    #[test]
    fn stable_order_is_a_stable_sort() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for len in 0..200 {
            let keys: Vec<(u8, u64)> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    ((state % 3) as u8, state % 7)
                })
                .collect();
            let mut want: Vec<usize> = (0..len).collect();
            want.sort_by_key(|&i| keys[i]);
            assert_eq!(stable_order(&keys), want, "{keys:?}");
        }
    }

    #[test]
    fn array_indexes_come_first_in_numeric_order() {
        assert!(is_array_index("0"));
        assert!(!is_array_index("01"));
        assert!(!is_array_index("4294967295"));
        assert!(is_array_index("4294967294"));
        assert_eq!(js_key_order(["b", "10", "a", "2"]), vec![3, 1, 0, 2]);
    }
}

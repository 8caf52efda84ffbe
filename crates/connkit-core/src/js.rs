//! The few JavaScript semantics Nango's rules inherit: string length in UTF-16 code units,
//! truncation like `String.prototype.slice`, and the order of an object's own keys.
//!
//! Knows nothing about any rule; the rule modules call it.

/// `s.length` in JavaScript: the number of UTF-16 code units.
pub fn js_len(s: &str) -> usize {
    // ASCII fast path: one unit per byte.
    if s.is_ascii() {
        return s.len();
    }
    s.chars().map(char::len_utf16).sum()
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
            return &s[..idx];
        }
    }
    s
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
    let keys: Vec<&str> = keys.into_iter().collect();
    let mut order: Vec<usize> = (0..keys.len()).collect();
    if keys.iter().any(|k| is_array_index(k)) {
        // A stable sort keeps insertion order among the non-index keys.
        order.sort_by_key(|&i| {
            let k = keys[i];
            if is_array_index(k) {
                (0, k.parse::<u64>().unwrap_or(0))
            } else {
                (1, 0)
            }
        });
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn array_indexes_come_first_in_numeric_order() {
        assert!(is_array_index("0"));
        assert!(!is_array_index("01"));
        assert!(!is_array_index("4294967295"));
        assert!(is_array_index("4294967294"));
        assert_eq!(js_key_order(["b", "10", "a", "2"]), vec![3, 1, 0, 2]);
    }
}

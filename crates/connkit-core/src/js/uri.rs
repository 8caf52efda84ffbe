//! JavaScript's `encodeURIComponent` and `decodeURIComponent`, exact to the byte (checked
//! against Node 20), and the `%XX` escape the URL serialiser writes too.
//!
//! Knows nothing about templates, query strings or any rule that escapes text.

use crate::prelude::*;

/// JavaScript's `encodeURIComponent`: everything but ASCII letters, digits and `-_.!~*'()` is
/// written as `%XX` escapes of its UTF-8 bytes (uppercase hex).
pub fn encode_uri_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            push_percent_escape(&mut out, byte);
        }
    }
    out
}

/// `new URLSearchParams(pairs).toString()`: `name=value` pairs joined by `&`, each written in
/// the `application/x-www-form-urlencoded` way: ASCII letters, digits and `*-._` as they are, a
/// space as `+`, every other byte of the UTF-8 as `%XX`.
pub fn url_search_params<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (idx, (name, value)) in pairs.into_iter().enumerate() {
        if idx > 0 {
            out.push('&');
        }
        push_form_encoded(&mut out, name);
        out.push('=');
        push_form_encoded(&mut out, value);
    }
    out
}

fn push_form_encoded(out: &mut String, text: &str) {
    for byte in text.bytes() {
        match byte {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"*-._".contains(&b) => out.push(char::from(b)),
            b => push_percent_escape(out, b),
        }
    }
}

/// Appends `byte` as `%XX` (uppercase hex), the escape every URL encoder writes.
pub(crate) fn push_percent_escape(out: &mut String, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(byte >> 4)]));
    out.push(char::from(HEX[usize::from(byte & 0xf)]));
}

/// JavaScript's `decodeURIComponent`, or `None` where it throws a `URIError`: a `%` without two
/// hex digits, or escapes that are not well-formed UTF-8 (overlong forms and surrogates included).
pub fn decode_uri_component(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while let Some(&byte) = bytes.get(idx) {
        if byte == b'%' {
            let hex = |at: usize| bytes.get(at).and_then(|b| char::from(*b).to_digit(16));
            let (hi, lo) = (hex(idx + 1)?, hex(idx + 2)?);
            out.push(u8::try_from(hi * 16 + lo).ok()?);
            idx += 3;
        } else {
            out.push(byte);
            idx += 1;
        }
    }
    // Literal characters are whole UTF-8 sequences, so a decoded escape can only form a valid
    // sequence with other escapes: validating the whole buffer is validating the escapes.
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_and_decode_uri_component_match_javascript() {
        assert_eq!(encode_uri_component("aZ09-_.!~*'()"), "aZ09-_.!~*'()");
        assert_eq!(
            encode_uri_component(" /?#&=+é😀\u{7f}[]@$,;:"),
            "%20%2F%3F%23%26%3D%2B%C3%A9%F0%9F%98%80%7F%5B%5D%40%24%2C%3B%3A"
        );
        assert_eq!(decode_uri_component("a%20b%C3%A9").as_deref(), Some("a bé"));
        assert_eq!(decode_uri_component("é%C3%A9").as_deref(), Some("éé"));
        for bad in [
            "%",
            "%2",
            "%zz",
            "%C3",
            "%ED%A0%80",
            "%C0%80",
            "%F4%90%80%80",
        ] {
            assert_eq!(decode_uri_component(bad), None, "{bad}");
        }
    }
}

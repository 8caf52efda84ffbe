//! The JavaScript text functions URL interpolation depends on: `encodeURIComponent`,
//! `decodeURIComponent` and `String(number)`, exact to the byte (checked against Node 20).
//!
//! Knows nothing about templates or providers. (They would sit well in `crate::js`.)

/// JavaScript's `encodeURIComponent`: everything but ASCII letters, digits and `-_.!~*'()` is
/// written as `%XX` escapes of its UTF-8 bytes (uppercase hex).
pub fn encode_uri_component(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
    out
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

/// JavaScript's `String(n)` (`Number.prototype.toString()`) for a finite double: integers up to
/// 1e21 without exponent, `0.000001` but `1e-7`, `1e+21`, and `-0` as `0`.
pub(crate) fn js_number_string(n: f64) -> String {
    if n == 0.0 {
        return "0".to_owned();
    }
    if !n.is_finite() {
        return if n.is_nan() {
            "NaN".to_owned()
        } else if n > 0.0 {
            "Infinity".to_owned()
        } else {
            "-Infinity".to_owned()
        };
    }
    let Some((digits, exp)) = crate::js::shortest_digits(n) else {
        return "0".to_owned();
    };
    let k = i64::try_from(digits.len()).unwrap_or(1);
    let n_pos = exp + 1; // the decimal point sits after `n_pos` digits
    let zeros = |count: i64| "0".repeat(usize::try_from(count).unwrap_or(0));
    let body = if k <= n_pos && n_pos <= 21 {
        format!("{digits}{}", zeros(n_pos - k))
    } else if 0 < n_pos && n_pos <= 21 {
        let (int, frac) = digits.split_at(usize::try_from(n_pos).unwrap_or(0));
        format!("{int}.{frac}")
    } else if -6 < n_pos && n_pos <= 0 {
        format!("0.{}{digits}", zeros(-n_pos))
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let dot = if rest.is_empty() { "" } else { "." };
        format!("{first}{dot}{rest}e{sign}{}", exp.abs())
    };
    if n < 0.0 { format!("-{body}") } else { body }
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

    #[test]
    fn numbers_are_written_like_javascript() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (-1.5, "-1.5"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (12e-7, "0.0000012"),
            (1.0 / 3.0, "0.3333333333333333"),
            (18446744073709551616.0, "18446744073709552000"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (1234.5678, "1234.5678"),
            // Ties between two shortest candidates go to the even digit (Node 20), where Rust's
            // own `{:e}` rounds up (…563).
            (f64::from_bits(0x40f9_48de_7900_0000), "103565.90454101562"),
            (f64::from_bits(0x4317_9085_685d_83c9), "1658206780088562.2"),
            (f64::from_bits(0xc140_abd8_a7d0_0000), "-2185137.3110351562"),
        ];
        for (n, want) in cases {
            assert_eq!(js_number_string(*n), *want, "{n}");
        }
    }
}

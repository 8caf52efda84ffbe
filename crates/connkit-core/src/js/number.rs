//! JavaScript's conversions between numbers and text: `Number(value)` for a JSON value (decimal
//! text read by `decimal.rs`) and `String(number)`, with the shortest digits of a double that
//! `String(number)` starts from (qs and the webhook payload write numbers from them too).
//!
//! Knows nothing about any rule; the rule modules call it.

use super::decimal::parse_f64;

use crate::prelude::*;

/// Appends `n` in decimal (`n.to_string()` without the formatting machinery, which a wasm
/// module would otherwise link for it).
pub fn push_decimal(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut rest = n;
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(slot) = digits.get_mut(at) {
            *slot = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 || at == 0 {
            break;
        }
    }
    for &d in digits.get(at..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

/// Every double at or past 2⁵² in magnitude is a whole number.
const WHOLE_FROM: f64 = 4_503_599_627_370_496.0;

/// Whether `n` is a finite whole number (`n.fract() == 0.0`, which core has not: the crate links
/// no std).
pub(crate) fn is_whole(n: f64) -> bool {
    n.is_finite() && (n.abs() >= WHOLE_FROM || (n as i64) as f64 == n)
}

/// `n.round()`: the nearest whole number, halves away from zero (core has no float rounding).
/// Non-finite values come back as they are.
pub(crate) fn round(n: f64) -> f64 {
    if !n.is_finite() || n.abs() >= WHOLE_FROM {
        return n;
    }
    // Below 2⁵² the cast drops exactly the fraction, and `n - whole` is exact.
    let whole = (n as i64) as f64;
    let fraction = n - whole;
    if fraction >= 0.5 {
        whole + 1.0
    } else if fraction <= -0.5 {
        whole - 1.0
    } else {
        whole
    }
}

/// JavaScript's `Number(value)` for a JSON value (`NaN` where JavaScript gives `NaN`).
pub fn to_number(value: &serde_json::Value) -> f64 {
    use serde_json::Value;
    match value {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => string_to_number(s),
        // An array becomes its elements joined with ",": "" is 0, one element is itself.
        Value::Array(items) => match items.as_slice() {
            [] => 0.0,
            [Value::Null] => 0.0,
            [one @ (Value::String(_) | Value::Number(_) | Value::Array(_))] => to_number(one),
            _ => f64::NAN,
        },
        Value::Object(_) => f64::NAN,
    }
}

/// The digits ECMAScript's `Number::toString` starts from for a finite, non-zero double: the
/// shortest decimal digits that read back as `n` (the closest such on a tie), without sign, and
/// the power of ten of the first one: `1234.5` → `("12345", 3)`, `-0.001` → `("1", -3)`.
/// `None` for zero, NaN and the infinities.
pub(crate) fn shortest_digits(n: f64) -> Option<(String, i64)> {
    // serde_json writes doubles with a shortest-round-trip printer (zmij); reading its digits
    // back spares the wasm modules a second one (`format!("{:e}")` costs about 20 KB).
    let text = serde_json::Number::from_f64(n)?.to_string();
    let (mantissa, exp) = match text.split_once(['e', 'E']) {
        Some((mantissa, exp)) => (mantissa, exp.parse::<i64>().ok()?),
        None => (text.as_str(), 0),
    };
    let mantissa = mantissa.trim_start_matches('-');
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut digits = String::with_capacity(int.len() + frac.len());
    digits.push_str(int);
    digits.push_str(frac);
    let leading = digits.len() - digits.trim_start_matches('0').len();
    let significant = digits.trim_matches('0');
    if significant.is_empty() {
        return None;
    }
    let first = i64::try_from(int.len()).ok()? - 1 - i64::try_from(leading).ok()? + exp;
    Some((significant.to_owned(), first))
}

/// JavaScript's `Number(string)`: trimmed; "" is 0; decimal, `Infinity`, `0x`/`0o`/`0b` forms.
fn string_to_number(s: &str) -> f64 {
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    if t.is_empty() {
        return 0.0;
    }
    let radix = |prefix: &str, radix: u32| {
        t.strip_prefix(prefix)
            .filter(|digits| !digits.is_empty())
            .map(|digits| u64::from_str_radix(digits, radix).map_or(f64::NAN, |n| n as f64))
    };
    for (prefix, base) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(n) = radix(prefix, base) {
            return n;
        }
    }
    match t.trim_start_matches(['+', '-']) {
        "Infinity" => {
            return if t.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
        }
        rest if rest
            .bytes()
            .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E') =>
        {
            return f64::NAN;
        }
        _ => {}
    }
    parse_f64(t).unwrap_or(f64::NAN)
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
    let Some((digits, exp)) = shortest_digits(n) else {
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
    fn writes_decimals_as_to_string_does() {
        for n in [
            0,
            1,
            9,
            10,
            255,
            65535,
            1_000_000,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            let mut out = String::from("x");
            push_decimal(&mut out, n);
            assert_eq!(out, std::format!("x{n}"));
        }
    }

    #[test]
    fn rounds_and_knows_whole_numbers_as_std_does() {
        let cases = [
            0.0,
            0.5,
            1.5,
            2.5,
            -0.5,
            -1.5,
            0.49999999999999994,
            1e300,
            -7.25,
            4503599627370495.5,
            9007199254740993.0,
            123456.5,
            f64::MAX,
            f64::MIN_POSITIVE,
            3.0,
            -3.0,
        ];
        for n in cases {
            assert_eq!(round(n), n.round(), "round({n})");
            assert_eq!(is_whole(n), n.fract() == 0.0, "is_whole({n})");
        }
        assert!(round(f64::NAN).is_nan() && !is_whole(f64::NAN));
        assert_eq!(round(f64::INFINITY), f64::INFINITY);
        assert!(!is_whole(f64::INFINITY));
    }

    #[test]
    fn to_number_follows_javascript() {
        use serde_json::json;
        let n = |v: serde_json::Value| to_number(&v);
        assert_eq!(n(json!(null)), 0.0);
        assert_eq!(n(json!(true)), 1.0);
        assert_eq!(n(json!(" 12 ")), 12.0);
        assert_eq!(n(json!("")), 0.0);
        assert_eq!(n(json!("0x10")), 16.0);
        assert_eq!(n(json!("-Infinity")), f64::NEG_INFINITY);
        assert!(n(json!("x")).is_nan());
        assert!(n(json!("inf")).is_nan());
        assert_eq!(n(json!([])), 0.0);
        assert_eq!(n(json!(["7"])), 7.0);
        assert!(n(json!([1, 2])).is_nan());
        assert!(n(json!({})).is_nan());
    }

    #[test]
    fn shortest_digits_are_the_ones_javascript_prints() {
        let d = shortest_digits;
        assert_eq!(d(1234.5), Some(("12345".to_owned(), 3)));
        assert_eq!(d(-0.001), Some(("1".to_owned(), -3)));
        assert_eq!(d(1e21), Some(("1".to_owned(), 21)));
        assert_eq!(d(5e-324), Some(("5".to_owned(), -324)));
        assert_eq!(d(f64::MAX), Some(("17976931348623157".to_owned(), 308)));
        // 103565.904541015625 is a tie between …562 and …563: the even one, as in JavaScript.
        assert_eq!(
            d(f64::from_bits(0x40f9_48de_7900_0000)),
            Some(("10356590454101562".to_owned(), 5))
        );
        assert_eq!(d(0.0), None);
        assert_eq!(d(f64::NAN), None);
        assert_eq!(d(f64::NEG_INFINITY), None);
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

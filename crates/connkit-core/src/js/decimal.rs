//! Decimal text to the nearest double (ties to even), as `str::parse::<f64>` does for decimal
//! notation, without the 10 KB table of 128-bit powers of five its fast algorithm links into
//! every wasm module that parses a number.
//!
//! Exact small cases are one multiplication or division (Clinger's fast path); the rest use the
//! simple decimal-shift algorithm that is also core's own fallback: the digits are scaled by
//! powers of two until the value sits in [½, 1), then the 53 significant bits are read off and
//! rounded. Knows nothing about JavaScript's grammar: callers trim and screen the text.

use crate::prelude::*;

/// Digits kept: every double's halfway point has at most 767 significant digits, so dropping
/// the rest only needs to be remembered (`truncated`), never looked at.
const MAX_DIGITS: usize = 768;
/// Past this decimal exponent, the value is zero or infinite whatever the digits.
const DECIMAL_POINT_RANGE: i32 = 2047;
/// The largest binary shift applied at once (keeps `digit << shift` inside a `u64`).
const MAX_SHIFT: u32 = 60;
/// The binary shift used to move the decimal point by `n` places at most.
const POWERS: [u8; 19] = [
    0, 3, 6, 9, 13, 16, 19, 23, 26, 29, 33, 36, 39, 43, 46, 49, 53, 56, 59,
];

/// `text` in Rust's decimal grammar (`[+-]? digits? ('.' digits?)? ([eE] [+-]? digits)?`, at
/// least one mantissa digit) as the nearest double; `None` for anything else, including the
/// `inf` and `nan` words `str::parse` also accepts.
pub(crate) fn parse_f64(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let (negative, body) = match bytes.first() {
        Some(b'-') => (true, bytes.get(1..)?),
        Some(b'+') => (false, bytes.get(1..)?),
        _ => (false, bytes),
    };
    let decimal = Decimal::read(body)?;
    let magnitude = match decimal.fast_path() {
        Some(it) => it,
        None => f64::from_bits(decimal.into_bits()),
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// A decimal `0.d₁d₂…dₙ × 10^decimal_point` (digits 0–9, no trailing zeros).
struct Decimal {
    digits: Vec<u8>,
    decimal_point: i32,
    /// Non-zero digits were dropped past `MAX_DIGITS`.
    truncated: bool,
}

impl Decimal {
    /// Reads the unsigned part; `None` unless it is the whole of `body` in the grammar above.
    fn read(body: &[u8]) -> Option<Decimal> {
        let mut d = Decimal {
            digits: Vec::new(),
            decimal_point: 0,
            truncated: false,
        };
        let mut seen_digit = false;
        let mut seen_point = false;
        let mut idx = 0;
        while let Some(&b) = body.get(idx) {
            match b {
                b'0'..=b'9' => {
                    seen_digit = true;
                    if seen_point {
                        d.decimal_point -= 1;
                    }
                    if b == b'0' && d.digits.is_empty() {
                        // A leading zero: only the position counts.
                    } else if d.digits.len() < MAX_DIGITS {
                        d.digits.push(b - b'0');
                    } else {
                        d.truncated |= b != b'0';
                        d.decimal_point += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                _ => break,
            }
            idx += 1;
        }
        if !seen_digit {
            return None;
        }
        d.decimal_point += i32::try_from(d.digits.len()).ok()?;
        if let Some(b'e' | b'E') = body.get(idx) {
            idx += 1;
            let negative = body.get(idx) == Some(&b'-');
            if matches!(body.get(idx), Some(b'-' | b'+')) {
                idx += 1;
            }
            let start = idx;
            let mut exp = 0_i32;
            while let Some(&b @ b'0'..=b'9') = body.get(idx) {
                if exp < 0x10000 {
                    exp = 10 * exp + i32::from(b - b'0');
                }
                idx += 1;
            }
            if idx == start {
                return None;
            }
            d.decimal_point += if negative { -exp } else { exp };
        }
        if idx != body.len() {
            return None;
        }
        d.trim();
        Some(d)
    }

    fn trim(&mut self) {
        while self.digits.last() == Some(&0) {
            self.digits.pop();
        }
    }

    /// The exact result when the digits fit a double's 53 bits and the power of ten is exact
    /// too: one correctly rounded operation gives the correctly rounded value.
    fn fast_path(&self) -> Option<f64> {
        if self.digits.len() > 15 || self.truncated {
            return None;
        }
        let mut mantissa = 0_u64;
        for &digit in &self.digits {
            mantissa = mantissa * 10 + u64::from(digit);
        }
        if self.digits.is_empty() {
            return Some(0.0);
        }
        let exp = self.decimal_point - i32::try_from(self.digits.len()).ok()?;
        if !(-22..=22).contains(&exp) {
            return None;
        }
        let mut power = 1.0_f64;
        for _ in 0..exp.unsigned_abs() {
            power *= 10.0;
        }
        // Below 10¹⁵ < 2⁵³, so the conversion is exact.
        let mantissa = mantissa as f64;
        Some(if exp < 0 {
            mantissa / power
        } else {
            mantissa * power
        })
    }

    /// The bits of the nearest double, ties to even.
    fn into_bits(mut self) -> u64 {
        const MIN_EXP: i32 = -1022;
        const INFINITY: u64 = 0x7ff << 52;
        if self.digits.is_empty() || self.decimal_point < -324 {
            return 0;
        }
        if self.decimal_point >= 310 {
            return INFINITY;
        }
        let shift_for = |n: i32| {
            usize::try_from(n)
                .ok()
                .and_then(|n| POWERS.get(n))
                .map_or(MAX_SHIFT, |&s| u32::from(s))
        };
        let mut exp2 = 0_i32;
        // Scale down toward [½, 1).
        while self.decimal_point > 0 {
            let shift = shift_for(self.decimal_point);
            self.right_shift(shift);
            if self.decimal_point < -DECIMAL_POINT_RANGE {
                return 0;
            }
            exp2 += shift as i32;
        }
        // Scale up toward [½, 1).
        while self.decimal_point <= 0 {
            let shift = if self.decimal_point == 0 {
                match self.digits.first() {
                    Some(&digit) if digit >= 5 => break,
                    Some(0 | 1) => 2,
                    _ => 1,
                }
            } else {
                shift_for(-self.decimal_point)
            };
            self.left_shift(shift);
            if self.decimal_point > DECIMAL_POINT_RANGE {
                return INFINITY;
            }
            exp2 -= shift as i32;
        }
        // Now in [½, 1); doubles count from [1, 2).
        exp2 -= 1;
        while exp2 < MIN_EXP {
            let shift = u32::try_from(MIN_EXP - exp2).map_or(MAX_SHIFT, |n| n.min(MAX_SHIFT));
            self.right_shift(shift);
            exp2 += shift as i32;
        }
        if exp2 - MIN_EXP + 1 >= 0x7ff {
            return INFINITY;
        }
        self.left_shift(53);
        let mut mantissa = self.round();
        if mantissa >= 1 << 53 {
            // Rounding carried into a new bit.
            self.right_shift(1);
            exp2 += 1;
            mantissa = self.round();
            if exp2 - MIN_EXP + 1 >= 0x7ff {
                return INFINITY;
            }
        }
        let mut biased = exp2 - MIN_EXP + 1;
        if mantissa < 1 << 52 {
            biased -= 1; // subnormal
        }
        (u64::try_from(biased).unwrap_or(0) << 52) | (mantissa & ((1 << 52) - 1))
    }

    /// The integer part, rounded half to even (with `truncated` as a sticky digit).
    fn round(&self) -> u64 {
        let Ok(point) = usize::try_from(self.decimal_point) else {
            return 0;
        };
        if self.digits.is_empty() {
            return 0;
        }
        if point > 18 {
            return u64::MAX;
        }
        let mut n = 0_u64;
        for i in 0..point {
            n = n * 10 + u64::from(self.digits.get(i).copied().unwrap_or(0));
        }
        let round_up = match self.digits.get(point) {
            Some(5) if point + 1 == self.digits.len() => self.truncated || n & 1 == 1,
            Some(&digit) => digit >= 5,
            None => false,
        };
        n + u64::from(round_up)
    }

    /// Multiplies by `2^shift` (`shift` ≤ 60).
    fn left_shift(&mut self, shift: u32) {
        if self.digits.is_empty() {
            return;
        }
        // Least significant digit first.
        let mut out = Vec::with_capacity(self.digits.len() + 19);
        let mut n = 0_u64;
        for &digit in self.digits.iter().rev() {
            n += u64::from(digit) << shift;
            out.push((n % 10) as u8);
            n /= 10;
        }
        while n > 0 {
            out.push((n % 10) as u8);
            n /= 10;
        }
        let grown = out.len() - self.digits.len();
        out.reverse();
        if out.len() > MAX_DIGITS {
            self.truncated |= out.iter().skip(MAX_DIGITS).any(|&d| d != 0);
            out.truncate(MAX_DIGITS);
        }
        self.digits = out;
        self.decimal_point += i32::try_from(grown).unwrap_or(0);
        self.trim();
    }

    /// Divides by `2^shift` (`shift` ≤ 60), keeping at most `MAX_DIGITS` digits.
    fn right_shift(&mut self, shift: u32) {
        let mut read = 0;
        let mut n = 0_u64;
        while n >> shift == 0 {
            if let Some(&digit) = self.digits.get(read) {
                n = 10 * n + u64::from(digit);
                read += 1;
            } else if n == 0 {
                return;
            } else {
                while n >> shift == 0 {
                    n *= 10;
                    read += 1;
                }
                break;
            }
        }
        self.decimal_point -= i32::try_from(read).unwrap_or(i32::MAX) - 1;
        if self.decimal_point < -DECIMAL_POINT_RANGE {
            self.digits.clear();
            self.decimal_point = 0;
            self.truncated = false;
            return;
        }
        let mask = (1_u64 << shift) - 1;
        let mut out = Vec::with_capacity(self.digits.len());
        while let Some(&digit) = self.digits.get(read) {
            out.push((n >> shift) as u8);
            n = 10 * (n & mask) + u64::from(digit);
            read += 1;
        }
        while n > 0 {
            let digit = (n >> shift) as u8;
            n = 10 * (n & mask);
            if out.len() < MAX_DIGITS {
                out.push(digit);
            } else if digit > 0 {
                self.truncated = true;
            }
        }
        self.digits = out;
        self.trim();
    }
}

#[cfg(test)]
mod tests {
    use super::parse_f64;
    use crate::prelude::*;

    /// Compares with the standard library on `text` (same value, same sign, same failure).
    fn same(text: &str) {
        let want = text.parse::<f64>().ok().filter(|_| {
            let t = text.trim_start_matches(['+', '-']);
            !t.eq_ignore_ascii_case("inf")
                && !t.eq_ignore_ascii_case("infinity")
                && !t.eq_ignore_ascii_case("nan")
        });
        assert_eq!(
            parse_f64(text).map(f64::to_bits),
            want.map(f64::to_bits),
            "{text}"
        );
    }

    #[test]
    fn grammar_matches_str_parse() {
        for text in [
            "", "+", "-", ".", "e5", ".e5", "1e", "1e+", "1e-", "+.5", "-.5", "1.", "1.e3", "1..2",
            "1.2.3", "--1", "+-1", "1e5e5", " 1", "1 ", "0x10", "١", "1_000", "inf", "NaN",
            "infinity", "-0", "+0", "0.", "00.00e-0", "1E+3", "1e-3",
        ] {
            same(text);
        }
    }

    #[test]
    fn values_match_str_parse() {
        let fixed = [
            "0.1",
            "0.3",
            "123456789012345678901234567890",
            "9007199254740993",
            "9007199254740992.5",
            "2.2250738585072011e-308",
            "2.2250738585072012e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1e309",
            "1e-400",
            "1e100000",
            "1e-100000",
            "103565.904541015625",
            "0.000000000000000000000000000000000000001",
        ];
        for text in fixed {
            same(text);
        }
        // Halfway points (ties go to the even neighbour), and a hair either side of them:
        // 2⁻¹⁰⁷⁵ has 750 significant digits, 1 + 2⁻⁵³ has 54.
        for (times, power) in [
            (1, 1075),
            (3, 1075),
            (7, 1075),
            (1, 53),
            (2_u32.pow(30) + 1, 1083),
        ] {
            let exact = exact_decimal(times, power);
            same(&exact);
            same(&format!("{exact}000000000000000000001"));
            same(&format!("{}{}", "1".repeat(800), "e-400"));
            let below = exact.trim_end_matches('5').to_owned() + "4999999999999999999";
            same(&below);
        }
        same(&format!("1{}", &exact_decimal(1, 53)[1..]));
        same(&format!("0.{}1", "0".repeat(900)));
    }

    /// The exact decimal text of `times × 2^-power`.
    fn exact_decimal(times: u32, power: usize) -> String {
        // times × 5^power, least significant digit first; then the point moves `power` places.
        let mut digits: Vec<u32> = times
            .to_string()
            .bytes()
            .rev()
            .map(|b| u32::from(b - b'0'))
            .collect();
        for _ in 0..power {
            let mut carry = 0;
            for d in &mut digits {
                let n = *d * 5 + carry;
                *d = n % 10;
                carry = n / 10;
            }
            while carry > 0 {
                digits.push(carry % 10);
                carry /= 10;
            }
        }
        while digits.len() <= power {
            digits.push(0);
        }
        let text: String = digits
            .iter()
            .rev()
            .map(|d| char::from(b'0' + *d as u8))
            .collect();
        format!(
            "{}.{}",
            &text[..text.len() - power],
            &text[text.len() - power..]
        )
    }

    #[test]
    fn random_texts_match_str_parse() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..30_000 {
            // Round-trip texts of random doubles, their neighbours' halfway points, and
            // random digit strings with random exponents.
            let bits = next();
            let x = f64::from_bits(bits);
            if x.is_finite() {
                same(&format!("{x:e}"));
                same(&format!("{x}"));
            }
            let digits: String = (0..(next() % 40 + 1))
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            let exp = (next() % 700) as i64 - 350;
            same(&format!("{digits}e{exp}"));
            let cut = (next() as usize) % digits.len();
            same(&format!("{}.{}e{exp}", &digits[..cut], &digits[cut..]));
        }
    }
}

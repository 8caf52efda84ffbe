//! JavaScript's `Date` as token handling meets it: a time value (milliseconds since the Unix
//! epoch, UTC) written by `Date.prototype.toISOString()`, and read by `new Date(text)` from the
//! date-time strings providers send.
//!
//! Reading covers ECMAScript's date-time string format and the liberties V8 takes with it
//! (checked against Node 20): `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, the six-digit signed years
//! (`+002026`), an optional time `HH:mm`, `HH:mm:ss` or `HH:mm:ss.fff…` after `T`, `t` or a space,
//! then `Z`, `z`, `±HH:mm` or `±HHmm`; leading and trailing white space; days past the month's
//! end roll over (`2019-02-30` is 2 March) and `24:00` is the next midnight. A time without an
//! offset is read as UTC (V8 reads it in the process's time zone; servers run in UTC). V8's
//! other legacy forms (`Aug 21 2026`, RFC 2822 dates) are not read: they give `None`.
//!
//! Knows nothing about tokens or expiry.

use crate::prelude::*;

/// The largest distance from the epoch a `Date` holds: 100,000,000 days, in milliseconds.
pub(super) const MAX_TIME_MS: i64 = 8_640_000_000_000_000;
pub(super) const MS_PER_DAY: i64 = 86_400_000;

/// `new Date(ms).toISOString()`: `YYYY-MM-DDTHH:mm:ss.sssZ`, years outside 0–9999 as `±YYYYYY`;
/// `None` where JavaScript throws (the time is out of a `Date`'s range).
pub fn to_iso_string(ms: i64) -> Option<String> {
    if !(-MAX_TIME_MS..=MAX_TIME_MS).contains(&ms) {
        return None;
    }
    let days = ms.div_euclid(MS_PER_DAY);
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let year_text = if (0..=9999).contains(&year) {
        format!("{year:04}")
    } else if year < 0 {
        format!("-{:06}", -year)
    } else {
        format!("+{year:06}")
    };
    Some(format!(
        "{year_text}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    ))
}

/// `new Date(text).getTime()` for the forms the module header lists; `None` for an invalid
/// date (`NaN`) or a form not read here.
pub fn parse_date(text: &str) -> Option<i64> {
    let mut cursor = Cursor {
        rest: text.trim_matches(is_js_space).as_bytes(),
    };
    let year = match cursor.peek() {
        Some(sign @ (b'+' | b'-')) => {
            cursor.advance(1);
            let value = cursor.digits(6)?;
            if sign == b'-' && value == 0 {
                return None; // `-000000` is not a year.
            }
            if sign == b'-' { -value } else { value }
        }
        _ => cursor.digits(4)?,
    };
    let (mut month, mut day) = (1, 1);
    if cursor.eat(b'-') {
        month = cursor.digits(2)?;
        if cursor.eat(b'-') {
            day = cursor.digits(2)?;
        }
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut time_ms = 0;
    let mut offset_ms = 0;
    if matches!(cursor.peek(), Some(b'T' | b't' | b' ')) {
        cursor.advance(1);
        let hours = cursor.digits(2)?;
        if !cursor.eat(b':') {
            return None;
        }
        let minutes = cursor.digits(2)?;
        let mut seconds = 0;
        let mut millis = 0;
        if cursor.eat(b':') {
            seconds = cursor.digits(2)?;
            if cursor.eat(b'.') {
                millis = cursor.fraction_millis()?;
            }
        }
        let midnight = hours == 24 && minutes == 0 && seconds == 0 && millis == 0;
        if (hours > 23 && !midnight) || minutes > 59 || seconds > 59 {
            return None;
        }
        time_ms = ((hours * 60 + minutes) * 60 + seconds) * 1000 + millis;
        offset_ms = cursor.offset_ms()?;
    }
    if !cursor.rest.is_empty() {
        return None;
    }
    let ms = days_from_civil(year, month, 1)
        .checked_add(day - 1)?
        .checked_mul(MS_PER_DAY)?
        .checked_add(time_ms)?
        .checked_sub(offset_ms)?;
    (-MAX_TIME_MS..=MAX_TIME_MS).contains(&ms).then_some(ms)
}

/// The white space `String.prototype.trim` removes, as far as date strings go.
fn is_js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

struct Cursor<'a> {
    rest: &'a [u8],
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn advance(&mut self, n: usize) {
        self.rest = self.rest.get(n..).unwrap_or(&[]);
    }

    fn eat(&mut self, byte: u8) -> bool {
        let hit = self.peek() == Some(byte);
        if hit {
            self.advance(1);
        }
        hit
    }

    /// Exactly `n` ASCII digits as a number.
    fn digits(&mut self, n: usize) -> Option<i64> {
        let taken = self.rest.get(..n)?;
        if !taken.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.advance(n);
        Some(
            taken
                .iter()
                .fold(0, |acc, d| acc * 10 + i64::from(d - b'0')),
        )
    }

    /// One or more fraction digits, as whole milliseconds (digits past the third are dropped).
    fn fraction_millis(&mut self) -> Option<i64> {
        let n = self.rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let millis = self
            .rest
            .iter()
            .take(3)
            .take_while(|b| b.is_ascii_digit())
            .enumerate()
            .fold(0, |acc, (i, d)| {
                acc + i64::from(d - b'0') * [100, 10, 1].get(i).copied().unwrap_or(0)
            });
        self.advance(n);
        Some(millis)
    }

    /// `Z`, `±HH:mm`, `±HHmm` or nothing (UTC), as milliseconds east of UTC.
    fn offset_ms(&mut self) -> Option<i64> {
        match self.peek() {
            None => Some(0),
            Some(b'Z' | b'z') => {
                self.advance(1);
                Some(0)
            }
            Some(sign @ (b'+' | b'-')) => {
                self.advance(1);
                let hours = self.digits(2)?;
                self.eat(b':');
                let minutes = self.digits(2)?;
                if hours > 23 || minutes > 59 {
                    return None;
                }
                let ms = (hours * 60 + minutes) * 60_000;
                Some(if sign == b'-' { -ms } else { ms })
            }
            Some(_) => None,
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub(super) fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (`civil_from_days`).
pub(super) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_strings_match_javascript() {
        assert_eq!(
            to_iso_string(0).as_deref(),
            Some("1970-01-01T00:00:00.000Z")
        );
        assert_eq!(
            to_iso_string(1_787_306_400_123).as_deref(),
            Some("2026-08-21T10:00:00.123Z")
        );
        assert_eq!(
            to_iso_string(-1).as_deref(),
            Some("1969-12-31T23:59:59.999Z")
        );
        assert_eq!(
            to_iso_string(MAX_TIME_MS).as_deref(),
            Some("+275760-09-13T00:00:00.000Z")
        );
        assert_eq!(
            to_iso_string(-62_198_755_200_000).as_deref(),
            Some("-000001-01-01T00:00:00.000Z")
        );
        assert_eq!(to_iso_string(MAX_TIME_MS + 1), None);
    }

    #[test]
    fn date_strings_read_as_v8_reads_them() {
        // Each expectation was printed by Node 20's `new Date(text).toISOString()`.
        let cases = [
            ("2019-02-30", Some("2019-03-02T00:00:00.000Z")),
            (
                "2026-08-21T10:00:00.123456Z",
                Some("2026-08-21T10:00:00.123Z"),
            ),
            ("2026-08-21T24:00:00Z", Some("2026-08-22T00:00:00.000Z")),
            ("2026-08-21T10:00Z", Some("2026-08-21T10:00:00.000Z")),
            ("2026-08-21t10:00:00z", Some("2026-08-21T10:00:00.000Z")),
            ("+002026-08-21T10:00:00Z", Some("2026-08-21T10:00:00.000Z")),
            ("2026", Some("2026-01-01T00:00:00.000Z")),
            ("2026-08", Some("2026-08-01T00:00:00.000Z")),
            ("2026-08-21T10:00:00+0200", Some("2026-08-21T08:00:00.000Z")),
            (
                "2026-08-21T10:00:00-02:30",
                Some("2026-08-21T12:30:00.000Z"),
            ),
            ("  2026-08-21", Some("2026-08-21T00:00:00.000Z")),
            ("2026-08-21 10:00:00Z", Some("2026-08-21T10:00:00.000Z")),
            ("-000000-01-01T00:00:00Z", None),
            ("+275760-09-13T00:00:00.001Z", None),
            ("2026-13-01", None),
            ("2026-08-21T25:00Z", None),
            ("tomorrow", None),
            ("", None),
        ];
        for (text, want) in cases {
            let got = parse_date(text).and_then(to_iso_string);
            assert_eq!(got.as_deref(), want, "{text:?}");
        }
    }
}

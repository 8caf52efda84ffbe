//! Time as the server stores it (Unix microseconds, UTC) and the three text forms Nango's wire
//! uses (spec §2.1, §6.2, §6.3): JavaScript's `toISOString()` (`…T10:00:00.123Z`), the same
//! with `+00:00` (GET /connections/:id), and Postgres' timestamptz text in `row_to_json`
//! (`…T10:00:00.123456+00:00`, trailing zeros of the fraction dropped; GET /connections).
//!
//! Knows nothing about what the times belong to.

use std::time::{SystemTime, UNIX_EPOCH};

/// Microseconds since the Unix epoch.
pub(crate) type Micros = i64;

/// The current time.
pub(crate) fn now() -> Micros {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// `Date.prototype.toISOString()`: milliseconds and `Z`.
pub(crate) fn iso_millis_z(t: Micros) -> String {
    let (mut text, micros) = split(t, 5);
    text.push('.');
    digits(&mut text, micros / 1000, 3);
    text.push('Z');
    text
}

/// `toISOString()` with `Z` replaced by `+00:00` (Nango's connection formatter).
pub(crate) fn iso_millis_offset(t: Micros) -> String {
    let (mut text, micros) = split(t, 10);
    text.push('.');
    digits(&mut text, micros / 1000, 3);
    text.push_str("+00:00");
    text
}

/// Postgres' JSON text for a timestamptz in UTC: up to six fraction digits, trailing zeros
/// (and a bare `.`) dropped, then `+00:00`.
pub(crate) fn postgres_json(t: Micros) -> String {
    let (mut text, micros) = split(t, 13);
    if micros != 0 {
        text.push('.');
        let mut fraction = micros;
        let mut width = 6;
        while fraction % 10 == 0 {
            fraction /= 10;
            width -= 1;
        }
        digits(&mut text, fraction, width);
    }
    text.push_str("+00:00");
    text
}

/// `YYYY-MM-DDTHH:MM:SS`, in a string with room for `tail` more bytes, and the microseconds
/// within that second. Written digit by digit: these times are in every answer, and `format!`
/// grows its string several times.
fn split(t: Micros, tail: usize) -> (String, i64) {
    let secs = t.div_euclid(1_000_000);
    let micros = t.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut text = String::with_capacity(19 + tail);
    if (0..=9999).contains(&y) {
        digits(&mut text, y, 4);
    } else {
        text.push_str(&format!("{y:04}"));
    }
    for (separator, value) in [
        ('-', m),
        ('-', d),
        ('T', rem / 3600),
        (':', (rem % 3600) / 60),
        (':', rem % 60),
    ] {
        text.push(separator);
        digits(&mut text, value, 2);
    }
    (text, micros)
}

/// The last `width` decimal digits of `n` (not negative), zero-padded.
fn digits(text: &mut String, n: i64, width: u32) {
    for place in (0..width).rev() {
        let digit = (n / 10_i64.pow(place)).rem_euclid(10);
        text.push(char::from(b'0' + u8::try_from(digit).unwrap_or(0)));
    }
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-08-21T12:30:05.123456Z
    const T: Micros = 1_787_315_405_123_456;

    #[test]
    fn formats_follow_javascript_and_postgres() {
        assert_eq!(iso_millis_z(T), "2026-08-21T12:30:05.123Z");
        assert_eq!(iso_millis_offset(T), "2026-08-21T12:30:05.123+00:00");
        assert_eq!(postgres_json(T), "2026-08-21T12:30:05.123456+00:00");
        assert_eq!(postgres_json(T - 456), "2026-08-21T12:30:05.123+00:00");
        assert_eq!(postgres_json(T - 123_456), "2026-08-21T12:30:05+00:00");
    }

    #[test]
    fn calendar_edges() {
        assert_eq!(iso_millis_z(0), "1970-01-01T00:00:00.000Z");
        // 2024-02-29T23:59:59.999Z (leap day)
        assert_eq!(
            iso_millis_z(1_709_251_199_999_000),
            "2024-02-29T23:59:59.999Z"
        );
        assert_eq!(iso_millis_z(-1_000), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            postgres_json(T - 123_450),
            "2026-08-21T12:30:05.000006+00:00"
        );
        // Years past 9999 and before 1000.
        assert_eq!(
            iso_millis_z(253_402_300_800_000_000),
            "10000-01-01T00:00:00.000Z"
        );
        assert_eq!(
            iso_millis_z(-30_610_224_001_000_000),
            "0999-12-31T23:59:59.000Z"
        );
    }
}

//! dayjs 1.11.19 in UTC mode, as Nango's `${now…}` placeholders use it (`dayjs.utc(now)`,
//! `.add(n, unit)`, `.format(text)`; spec §5.4): the tokens of dayjs's default `format` (no
//! plugin, English locale) and `add` with its unit names.
//!
//! Format tokens: `[text]` is written as is; `YYYY`, `YY`, `M`, `MM`, `MMM`, `MMMM`, `D`, `DD`,
//! `d`, `dd`, `ddd`, `dddd`, `H`, `HH`, `h`, `hh`, `a`, `A`, `m`, `mm`, `s`, `ss`, `SSS`, `Z`
//! (`+00:00`), `ZZ` (`+0000`); Nango's own `X` and `x` (Unix seconds and milliseconds) for a
//! whole format. Like dayjs, a run of `Y` of another length (`Y`, `YYY`) writes the offset
//! without its colon. Units of `add`: `y`, `M`, `w`, `d` and the long names (`year`, `months`,
//! `days`…, a trailing `s` dropped, case ignored); months and years keep the day of the month
//! where the target month has it, else its last day; `hour`, `minute`, `second` and anything
//! else (`D`, `ms`, unknown names: milliseconds) move the time.
//!
//! Knows nothing about placeholders.

use super::date::{MAX_TIME_MS, MS_PER_DAY, civil_from_days, days_from_civil};
use crate::prelude::*;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// The fields of a time value, in UTC.
struct Parts {
    year: i64,
    month: i64,
    day: i64,
    weekday: i64,
    hour: i64,
    minute: i64,
    second: i64,
    ms: i64,
}

fn parts(ms: i64) -> Parts {
    let days = ms.div_euclid(MS_PER_DAY);
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    Parts {
        year,
        month,
        day,
        // 1970-01-01 was a Thursday.
        weekday: (days + 4).rem_euclid(7),
        hour: in_day / 3_600_000,
        minute: in_day / 60_000 % 60,
        second: in_day / 1000 % 60,
        ms: in_day % 1000,
    }
}

/// `dayjs.utc(ms).format(format)` (with Nango's `X` and `x`). `None` when `ms` is not a
/// valid time (dayjs writes `Invalid Date`).
pub fn dayjs_format(ms: i64, format: &str) -> Option<String> {
    if !(-MAX_TIME_MS..=MAX_TIME_MS).contains(&ms) {
        return None;
    }
    match format {
        "X" => return Some(ms.div_euclid(1000).to_string()),
        "x" => return Some(ms.to_string()),
        _ => {}
    }
    let p = parts(ms);
    let mut out = String::with_capacity(format.len() + 8);
    let bytes = format.as_bytes();
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        if c == b'['
            && let Some(len) = format.get(i + 1..).and_then(|rest| rest.find(']'))
            && len > 0
        {
            out.push_str(format.get(i + 1..i + 1 + len).unwrap_or(""));
            i += len + 2;
            continue;
        }
        let max = match c {
            b'Y' | b'M' | b'd' => 4,
            b'D' | b'H' | b'h' | b'm' | b's' | b'Z' => 2,
            b'a' | b'A' => 1,
            b'S' if format.get(i..i + 3) == Some("SSS") => 3,
            _ => 0,
        };
        if max == 0 {
            // One whole character (the format is text, so never a partial UTF-8 sequence).
            let ch = format
                .get(i..)
                .and_then(|rest| rest.chars().next())
                .unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let run = bytes
            .get(i..)
            .unwrap_or(&[])
            .iter()
            .take(max)
            .take_while(|&&b| b == c)
            .count();
        out.push_str(&token(&p, c, run));
        i += run;
    }
    Some(out)
}

fn pad(n: i64, width: usize) -> String {
    let text = n.to_string();
    if text.len() >= width {
        text
    } else {
        format!("{}{text}", "0".repeat(width - text.len()))
    }
}

fn token(p: &Parts, c: u8, run: usize) -> String {
    let month = usize::try_from(p.month - 1).unwrap_or(0);
    let weekday = usize::try_from(p.weekday).unwrap_or(0);
    let month_name = MONTHS.get(month).copied().unwrap_or("");
    let weekday_name = WEEKDAYS.get(weekday).copied().unwrap_or("");
    let twelve = if p.hour % 12 == 0 { 12 } else { p.hour % 12 };
    let meridiem = if p.hour < 12 { "AM" } else { "PM" };
    match (c, run) {
        (b'Y', 2) => {
            let year = p.year.to_string();
            year.get(year.len().saturating_sub(2)..)
                .unwrap_or("")
                .to_owned()
        }
        (b'Y', 4) => pad(p.year, 4),
        (b'M', 1) => p.month.to_string(),
        (b'M', 2) => pad(p.month, 2),
        (b'M', 3) => month_name.get(..3).unwrap_or("").to_owned(),
        (b'M', _) => month_name.to_owned(),
        (b'D', 1) => p.day.to_string(),
        (b'D', _) => pad(p.day, 2),
        (b'd', 1) => p.weekday.to_string(),
        (b'd', 2) => weekday_name.get(..2).unwrap_or("").to_owned(),
        (b'd', 3) => weekday_name.get(..3).unwrap_or("").to_owned(),
        (b'd', _) => weekday_name.to_owned(),
        (b'H', 1) => p.hour.to_string(),
        (b'H', _) => pad(p.hour, 2),
        (b'h', 1) => twelve.to_string(),
        (b'h', _) => pad(twelve, 2),
        (b'a', _) => meridiem.to_ascii_lowercase(),
        (b'A', _) => meridiem.to_owned(),
        (b'm', 1) => p.minute.to_string(),
        (b'm', _) => pad(p.minute, 2),
        (b's', 1) => p.second.to_string(),
        (b's', _) => pad(p.second, 2),
        (b'S', _) => pad(p.ms, 3),
        (b'Z', 1) => "+00:00".to_owned(),
        // `ZZ`, and what dayjs's `matches` does not know (`Y`, `YYY`): the offset, no colon.
        _ => "+0000".to_owned(),
    }
}

/// `dayjs.utc(ms).add(amount, unit)`; `None` when the result is not a valid time.
pub fn dayjs_add(ms: i64, amount: f64, unit: &str) -> Option<i64> {
    let unit = match unit {
        "M" => "month",
        "y" => "year",
        "w" => "week",
        "d" => "day",
        "D" => "date",
        "h" => "hour",
        "m" => "minute",
        "s" => "second",
        "ms" => "millisecond",
        other => other,
    };
    let lower = unit.to_ascii_lowercase();
    let unit = lower.strip_suffix('s').unwrap_or(&lower);
    let out = match unit {
        "month" | "year" => {
            if !amount.is_finite() || amount.abs() >= 1e8 + 1.0 {
                return None;
            }
            // `as` drops the fraction (dayjs's `Math.trunc`); |amount| < 1e8 + 1 keeps it exact.
            let whole = amount as i64;
            let months = if unit == "year" { whole * 12 } else { whole };
            let p = parts(ms);
            let index = p.year * 12 + (p.month - 1) + months;
            let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
            let last = days_in_month(year, month);
            let day = p.day.min(last);
            let in_day = ms.rem_euclid(MS_PER_DAY);
            days_from_civil(year, month, day) * MS_PER_DAY + in_day
        }
        "day" | "week" => {
            let factor = if unit == "week" { 7.0 } else { 1.0 };
            let days = js_round(factor * amount);
            ms.checked_add(days?.checked_mul(MS_PER_DAY)?)?
        }
        _ => {
            let step = match unit {
                "minute" => 60_000.0,
                "hour" => 3_600_000.0,
                "second" => 1000.0,
                _ => 1.0,
            };
            let next = ms as f64 + amount * step;
            if !next.is_finite() || next.abs() > MAX_TIME_MS as f64 {
                return None;
            }
            // `as` truncates like a `Date` does its time value; the range is checked above.
            next as i64
        }
    };
    (-MAX_TIME_MS..=MAX_TIME_MS).contains(&out).then_some(out)
}

/// `Math.round` for the day counts of `add` (ties toward +∞).
fn js_round(x: f64) -> Option<i64> {
    // Core has no `floor`: `as` drops the fraction toward zero, one less below zero.
    let y = x + 0.5;
    if !y.is_finite() || y.abs() >= 1e15 {
        return None;
    }
    let t = y as i64;
    Some(if (t as f64) > y { t - 1 } else { t })
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let (next_year, next_month) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    days_from_civil(next_year, next_month, 1) - days_from_civil(year, month, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-08-21T09:05:07.042Z, a Friday.
    const T: i64 = 1_787_303_107_042;

    #[test]
    fn formats_like_dayjs_utc() {
        let cases = [
            ("YYYY-MM-DDTHH:mm:ss", "2026-08-21T09:05:07"),
            ("YY M D H h m s SSS", "26 8 21 9 9 5 7 042"),
            ("MMM MMMM ddd dddd dd d", "Aug August Fri Friday Fr 5"),
            ("hh:mm a A", "09:05 am AM"),
            ("Z ZZ", "+00:00 +0000"),
            ("[YYYY] [] YYY", "YYYY [] +0000"),
            ("X", "1787303107"),
            ("x", "1787303107042"),
        ];
        for (format, expected) in cases {
            assert_eq!(
                dayjs_format(T, format).as_deref(),
                Some(expected),
                "{format}"
            );
        }
    }

    #[test]
    fn adds_like_dayjs() {
        let day = |ms| dayjs_format(ms, "YYYY-MM-DD HH:mm:ss.SSS").unwrap_or_default();
        assert_eq!(
            day(dayjs_add(T, 7.0, "days").unwrap_or(0)),
            "2026-08-28 09:05:07.042"
        );
        let jan31 = 1_769_860_800_000; // 2026-01-31T12:00:00Z
        assert_eq!(
            day(dayjs_add(jan31, 1.0, "month").unwrap_or(0)),
            "2026-02-28 12:00:00.000"
        );
        // `Y` is no unit `add` knows either (`y` is): milliseconds.
        assert_eq!(
            day(dayjs_add(jan31, -1.0, "Y").unwrap_or(0)),
            "2026-01-31 11:59:59.999"
        );
        assert_eq!(
            day(dayjs_add(T, -1.5, "days").unwrap_or(0)),
            "2026-08-20 09:05:07.042"
        );
        assert_eq!(
            day(dayjs_add(T, 1.7, "months").unwrap_or(0)),
            "2026-09-21 09:05:07.042"
        );
        assert_eq!(
            day(dayjs_add(T, 2.0, "h").unwrap_or(0)),
            "2026-08-21 11:05:07.042"
        );
        // `D` is the date unit, which `add` does not know: milliseconds.
        assert_eq!(dayjs_add(T, 7.0, "D"), Some(T + 7));
    }
}

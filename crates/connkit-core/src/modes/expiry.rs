//! The expirations TWO_STEP reads (spec §3.9): `expireIn` values as seconds or `ms` durations,
//! and the `exp` of a JWT (a token, a refresh token, an assertion).
//!
//! Knows nothing about requests or providers.

use serde_json::Value;

use super::failure::{Failure, ModeError, issue};
use crate::js::base64_decode;
use crate::oauth2::time;
use crate::prelude::*;
use crate::{Detail, ErrorCode};

/// The expiry of an `expireIn` value: `now` plus seconds when `Number(value)` is a safe
/// integer, else plus the `ms` duration of the text (`1h`, `30 minutes`…). Errors: no duration.
pub(super) fn duration_expiry(value: &Value, now: i64) -> Result<Option<i64>, ModeError> {
    let number = crate::js::to_number(value);
    if number.is_finite()
        && number.abs() <= 9_007_199_254_740_991.0
        && number == (number as i64) as f64
    {
        return Ok(time(now as f64 + number * 1000.0));
    }
    match value.as_str().and_then(ms_duration).filter(|ms| *ms != 0.0) {
        Some(ms) => Ok(time(now as f64 + ms)),
        None => Err(Failure::new(
            "two_step_credentials_fetch_error",
            "The provider's token expiration is no duration.",
            issue(
                ErrorCode::AuthTokenMissing,
                &["token_expiration"],
                Detail::Name("token_expiration".to_owned()),
            ),
        )
        .into()),
    }
}

/// The `ms` package's parse: a number and an optional unit (`ms`, `s`, `m`, `h`, `d`, `w`,
/// `y` and their long forms), any letter case; `None` for anything else.
pub(super) fn ms_duration(text: &str) -> Option<f64> {
    if text.is_empty() || text.len() > 100 {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let split = lower
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || (*i == 0 && *c == '-')))
        .map_or(lower.len(), |(i, _)| i);
    let (number, unit) = lower.split_at(split);
    let n: f64 = number.parse().ok()?;
    let factor = match unit.trim_start_matches(' ') {
        "years" | "year" | "yrs" | "yr" | "y" => 31_557_600_000.0,
        "weeks" | "week" | "w" => 604_800_000.0,
        "days" | "day" | "d" => 86_400_000.0,
        "hours" | "hour" | "hrs" | "hr" | "h" => 3_600_000.0,
        "minutes" | "minute" | "mins" | "min" | "m" => 60_000.0,
        "seconds" | "second" | "secs" | "sec" | "s" => 1000.0,
        "milliseconds" | "millisecond" | "msecs" | "msec" | "ms" | "" => 1.0,
        _ => return None,
    };
    Some(n * factor)
}

/// The numeric `exp` of a JWT's payload (`jwt.decode`), if the text is one.
pub(super) fn jwt_exp(text: &str) -> Option<f64> {
    let mut parts = text.split('.');
    let (_, payload) = (parts.next()?, parts.next()?);
    parts.next()?;
    let bytes = base64_decode(payload)?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("exp")?.as_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms_reads_durations_like_the_ms_package() {
        assert_eq!(ms_duration("1h"), Some(3_600_000.0));
        assert_eq!(ms_duration("30 minutes"), Some(1_800_000.0));
        assert_eq!(ms_duration("1.5D"), Some(129_600_000.0));
        assert_eq!(ms_duration("250"), Some(250.0));
        assert_eq!(ms_duration("soon"), None);
        assert_eq!(ms_duration("1 fortnight"), None);
    }
}

//! Query strings as Nango's Express app sees them (qs 6.15.3 bracket notation, spec §1.8,
//! §3.2), reduced to what the strict query schemas need: the top-level parameter names, and
//! each parameter as one plain string or something else. Keys and values are split and decoded
//! with the tag filter's qs model, and a parameter that is not one plain `name=value` part
//! (repeated, bracketed: `a=1&a=2`, `a[]=1`, `a[b]=1`) is read whole through it. Then the zod
//! checks those schemas apply to one parameter, each reporting Nango's issue:
//! `z.string().min().max()`, `z.coerce.number()`, `z.stringbool()`, and the strictness of the
//! object.
//!
//! Knows nothing about which parameters an endpoint allows.

use serde_json::{Map, Value};

use crate::JsonType;
use crate::js::{js_len, to_number};
use crate::nango::NangoIssue;
use crate::prelude::*;
use crate::tag_filter::{qs_decode, qs_key_value, qs_split_part};

use super::p;

/// A parsed query string.
#[derive(Debug, Clone, Default)]
pub struct Query {
    raw: String,
    params: Vec<Param>,
}

#[derive(Debug, Clone)]
struct Param {
    /// The top-level name qs files the part under.
    name: String,
    /// True when the key had bracket groups (`a[b]=…`).
    bracketed: bool,
    value: String,
}

/// One top-level parameter, as a zod string schema sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar {
    /// Not in the query.
    Absent,
    /// One plain string.
    Str(String),
    /// Not a single string: an array (repeated or `a[]`) or an object (`a[b]`).
    Other(JsonType),
}

impl Query {
    /// Splits `raw` (the text after `?`; `None` when the URL has none) on `&` and `=`, decoding
    /// `+` and percent escapes like qs.
    pub fn parse(raw: Option<&str>) -> Query {
        let raw = raw.unwrap_or("");
        let mut params = Vec::new();
        for part in raw.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = qs_split_part(part);
            let key = qs_decode(key);
            let Some((name, bracketed)) = top_level(&key) else {
                continue;
            };
            params.push(Param {
                name,
                bracketed,
                value: qs_decode(value),
            });
        }
        Query {
            raw: raw.to_owned(),
            params,
        }
    }

    /// The raw query text (what the tag filter reads).
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The parameter `name` as zod sees it.
    pub fn scalar(&self, name: &str) -> Scalar {
        let mut found = self.params.iter().filter(|p| p.name == name);
        match (found.next(), found.next()) {
            (None, _) => Scalar::Absent,
            (Some(p), None) if !p.bracketed => Scalar::Str(p.value.clone()),
            _ => match self.qs_value(name) {
                // qs drops a part naming an `Object.prototype` property (`a[constructor]=1`).
                None => Scalar::Absent,
                Some(Value::String(s)) => Scalar::Str(s),
                Some(other) => Scalar::Other(JsonType::of(&other)),
            },
        }
    }

    /// What qs makes of the parameter `name` (`None` when absent).
    fn qs_value(&self, name: &str) -> Option<Value> {
        qs_key_value(&self.raw, name)
    }

    /// Distinct top-level names not in `allowed`, in order of appearance.
    fn unknown(&self, allowed: &[&str]) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.params {
            if !allowed.contains(&p.name.as_str()) && !out.contains(&p.name.as_str()) {
                out.push(&p.name);
            }
        }
        out
    }

    /// Every top-level parameter that is one plain string, by name, in order of appearance
    /// (what `req.query[name]` holds as a string).
    #[cfg(feature = "oauth2")]
    pub(super) fn strings(&self) -> Map<String, Value> {
        let mut out = Map::new();
        for p in &self.params {
            if out.contains_key(&p.name) {
                continue;
            }
            if let Scalar::Str(value) = self.scalar(&p.name) {
                out.insert(p.name.clone(), Value::String(value));
            }
        }
        out
    }

    /// The string values of the object parameter `name` (Nango's `getConnectionConfig`: keep
    /// string values only); `Err` carries the type when the parameter is not an object.
    pub(super) fn string_map(&self, name: &str) -> Result<Map<String, Value>, JsonType> {
        match self.qs_value(name) {
            None => Ok(Map::new()),
            Some(Value::Object(map)) => {
                Ok(map.into_iter().filter(|(_, v)| v.is_string()).collect())
            }
            Some(other) => Err(JsonType::of(&other)),
        }
    }
}

/// The name qs files a decoded key under, and whether bracket groups follow it: `a[b]` → `a`,
/// `a[b` → `a` (qs 6.15 keeps an unclosed group as a literal child key), `[a][b]` → `a`.
/// `None` for an empty name.
fn top_level(key: &str) -> Option<(String, bool)> {
    let (name, bracketed) = match key.find('[') {
        Some(0) => match key[1..].find(']') {
            Some(close) if !key[1..=close].contains('[') => {
                let inner = &key[1..=close];
                (inner.to_owned(), key.len() > inner.len() + 2)
            }
            _ => (key.to_owned(), false),
        },
        Some(open) => (key[..open].to_owned(), true),
        None => (key.to_owned(), false),
    };
    (!name.is_empty()).then_some((name, bracketed))
}

/// A strict query schema's `unrecognized_keys` issue (at `[]`) for the names not in `allowed`.
pub(super) fn unknown_keys(query: &Query, allowed: &[&str]) -> Option<NangoIssue> {
    let unknown = query.unknown(allowed);
    (!unknown.is_empty()).then(|| NangoIssue::unrecognized_keys(&unknown, Vec::new()))
}

/// An optional `z.string().min(1).max(max)` parameter: the string when valid.
pub(super) fn string_param(
    query: &Query,
    name: &str,
    max: usize,
    out: &mut Vec<NangoIssue>,
) -> Option<String> {
    match query.scalar(name) {
        Scalar::Absent => None,
        Scalar::Other(received) => {
            out.push(NangoIssue::invalid_type(
                JsonType::String,
                received,
                p(name),
            ));
            None
        }
        Scalar::Str(s) if s.is_empty() => {
            out.push(NangoIssue::string_too_small(1, p(name)));
            None
        }
        Scalar::Str(s) if js_len(&s) > max => {
            out.push(NangoIssue::string_too_big(max, p(name)));
            None
        }
        Scalar::Str(s) => Some(s),
    }
}

/// An optional `z.coerce.number().min(min)[.max(max)]` parameter: JavaScript's `Number` of what
/// qs made of it (`a[]=5` is `["5"]`, which is 5), the number when valid (finite).
pub(super) fn number_param(
    query: &Query,
    name: &str,
    min: usize,
    max: Option<usize>,
    out: &mut Vec<NangoIssue>,
) -> Option<f64> {
    let n = match query.scalar(name) {
        Scalar::Absent => return None,
        Scalar::Str(s) => to_number(&Value::String(s)),
        Scalar::Other(_) => query.qs_value(name).map_or(f64::NAN, |v| to_number(&v)),
    };
    if n.is_nan() {
        out.push(NangoIssue::not_a_number(p(name)));
        return None;
    }
    // zod 4.0.5's numbers are finite: `Infinity` is "expected number, received number".
    if n.is_infinite() {
        out.push(NangoIssue::invalid_type(
            JsonType::Number,
            JsonType::Number,
            p(name),
        ));
        return None;
    }
    if n < min as f64 {
        out.push(NangoIssue::too_small("number", min, p(name)));
        return None;
    }
    if let Some(max) = max.filter(|max| n > *max as f64) {
        out.push(NangoIssue::too_big("number", max, p(name)));
        return None;
    }
    Some(n)
}

/// `z.stringbool()`'s accepted words (any ASCII case), true ones first.
const TRUTHY: [&str; 6] = ["true", "1", "yes", "on", "y", "enabled"];
const FALSY: [&str; 6] = ["false", "0", "no", "off", "n", "disabled"];

/// An optional `z.stringbool()` parameter: `true` only for a truthy word.
pub(super) fn stringbool_param(query: &Query, name: &str, out: &mut Vec<NangoIssue>) -> bool {
    let value = match query.scalar(name) {
        Scalar::Absent => return false,
        Scalar::Str(s) => s.to_ascii_lowercase(),
        Scalar::Other(received) => {
            out.push(NangoIssue::invalid_type(
                JsonType::String,
                received,
                p(name),
            ));
            return false;
        }
    };
    if TRUTHY.contains(&value.as_str()) {
        return true;
    }
    if !FALSY.contains(&value.as_str()) {
        let all: Vec<&str> = TRUTHY.iter().chain(&FALSY).copied().collect();
        out.push(NangoIssue::invalid_option(&all, p(name)));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_qs_brackets() {
        let q = Query::parse(Some(
            "limit=5&tags%5Ba%5D=1&[page][x]=2&search=a+b%20c&flag&a[=1",
        ));
        assert_eq!(
            q.unknown(&[]),
            ["limit", "tags", "page", "search", "flag", "a"]
        );
        assert_eq!(q.scalar("limit"), Scalar::Str("5".into()));
        assert_eq!(q.scalar("search"), Scalar::Str("a b c".into()));
        assert_eq!(q.scalar("flag"), Scalar::Str(String::new()));
        assert_eq!(q.scalar("tags"), Scalar::Other(JsonType::Object));
        assert_eq!(q.scalar("page"), Scalar::Other(JsonType::Object));
        assert_eq!(q.scalar("nope"), Scalar::Absent);
        let q = Query::parse(Some(
            "limit=1&limit=2&a[]=1&b[0]=1&c[100]=1&d[constructor]=1",
        ));
        assert_eq!(q.scalar("limit"), Scalar::Other(JsonType::Array));
        assert_eq!(q.scalar("a"), Scalar::Other(JsonType::Array));
        assert_eq!(q.scalar("b"), Scalar::Other(JsonType::Array));
        assert_eq!(q.scalar("c"), Scalar::Other(JsonType::Object));
        assert_eq!(q.scalar("d"), Scalar::Absent);
    }

    #[test]
    fn object_parameters_go_through_the_qs_model() {
        let q = Query::parse(Some(
            "params[subdomain]=acme&params[a][b]=1&params[r]=1&params[r]=2&paramsx[y]=z&x=1",
        ));
        let map = q.string_map("params").unwrap_or_default();
        assert_eq!(Value::Object(map), serde_json::json!({"subdomain": "acme"}));
        assert_eq!(
            Query::parse(Some("params=x")).string_map("params"),
            Err(JsonType::String)
        );
        assert_eq!(Query::parse(None).string_map("params"), Ok(Map::new()));
    }

    #[test]
    fn numbers_are_coerced_like_javascript() {
        let check = |text: &str| {
            let mut out = Vec::new();
            let n = number_param(&Query::parse(Some(text)), "n", 1, Some(20), &mut out);
            (n, out.iter().map(|it| it.code).collect::<Vec<_>>())
        };
        assert_eq!(check("n=1.5e1"), (Some(15.0), vec![]));
        assert_eq!(check("n=%2B0x10"), (None, vec!["invalid_type"]));
        // `+` is a space to qs, and `Number` trims it.
        assert_eq!(check("n=+0x10"), (Some(16.0), vec![]));
        assert_eq!(check("n="), (None, vec!["too_small"]));
        assert_eq!(check("n=21"), (None, vec!["too_big"]));
        assert_eq!(check("n=-Infinity"), (None, vec!["invalid_type"]));
        assert_eq!(check("n=1&n=2"), (None, vec!["invalid_type"]));
        assert_eq!(check("n[]=5"), (Some(5.0), vec![]));
        assert_eq!(check("n[a]=5"), (None, vec!["invalid_type"]));
        assert_eq!(check("x=1"), (None, vec![]));
    }
}

//! Query strings as Nango's Express app sees them (qs 6.15.3 bracket notation, spec §1.8, §3.2),
//! reduced to what the server's strict query schemas need: the top-level parameter names, and
//! whether a parameter is one plain string or something else (repeated → array, bracketed →
//! object). `tags[…]` is left to `connkit_core::tag_filter`; `params[…]` (auth endpoints) is
//! read through core's qs model too.
//!
//! Knows nothing about which parameters an endpoint allows.

use connkit_core::JsonType;
use connkit_core::js::decode_uri_component;
use connkit_core::nango::NangoIssue;
use connkit_core::tag_filter::qs_tags_value;
use serde_json::{Map, Value};

/// A parsed query string.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
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

/// One top-level parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scalar {
    Absent,
    Str(String),
    /// Not a single string: an array (repeated or `a[]`) or an object (`a[b]`).
    Other(JsonType),
}

impl Query {
    /// Splits `raw` (without `?`) on `&` and `=`, decoding `+` and percent escapes like qs.
    pub(crate) fn parse(raw: Option<&str>) -> Query {
        let raw = raw.unwrap_or("");
        let mut params = Vec::new();
        for part in raw.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = match part.find("]=").map(|i| i + 1).or_else(|| part.find('=')) {
                Some(i) => (&part[..i], &part[i + 1..]),
                None => (part, ""),
            };
            let key = decode(key);
            let Some((name, bracketed)) = top_level(&key) else {
                continue;
            };
            params.push(Param {
                name,
                bracketed,
                value: decode(value),
            });
        }
        Query {
            raw: raw.to_owned(),
            params,
        }
    }

    /// The raw query text (what core's tag-filter functions read).
    pub(crate) fn raw(&self) -> &str {
        &self.raw
    }

    /// Distinct top-level names not in `allowed`, in order of appearance.
    pub(crate) fn unknown(&self, allowed: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in &self.params {
            if !allowed.contains(&p.name.as_str()) && !out.contains(&p.name) {
                out.push(p.name.clone());
            }
        }
        out
    }

    /// The parameter `name` as zod sees it.
    pub(crate) fn scalar(&self, name: &str) -> Scalar {
        let mut found = self.params.iter().filter(|p| p.name == name);
        match (found.next(), found.next()) {
            (None, _) => Scalar::Absent,
            (Some(p), None) if !p.bracketed => Scalar::Str(p.value.clone()),
            (Some(_), None) => Scalar::Other(JsonType::Object),
            (Some(_), Some(_)) => Scalar::Other(JsonType::Array),
        }
    }

    /// What qs makes of the parameter `name` when it may be an object (`params[key]=value`),
    /// computed by core's qs model; `None` when absent.
    pub(crate) fn qs_value(&self, name: &str) -> Option<Value> {
        let renamed: Vec<String> = self
            .raw
            .split('&')
            .filter_map(|part| {
                let rest = part.strip_prefix(name)?;
                let addresses = rest.is_empty()
                    || rest.starts_with(['=', '['])
                    || rest.starts_with("%5B")
                    || rest.starts_with("%5b");
                addresses.then(|| format!("tags{rest}"))
            })
            .collect();
        qs_tags_value(&renamed.join("&"))
    }

    /// The string values of the object parameter `name` (Nango's `getConnectionConfig`: keep
    /// string values only). `Err` carries the type when the parameter is not an object.
    pub(crate) fn string_map(&self, name: &str) -> Result<Map<String, Value>, JsonType> {
        match self.qs_value(name) {
            None => Ok(Map::new()),
            Some(Value::Object(map)) => {
                Ok(map.into_iter().filter(|(_, v)| v.is_string()).collect())
            }
            Some(other) => Err(JsonType::of(&other)),
        }
    }
}

/// The Nango error for unknown keys of a strict query schema (`unrecognized_keys` at `[]`), if any.
pub(crate) fn unknown_keys_error(query: &Query, allowed: &[&str]) -> Option<NangoIssue> {
    let unknown = query.unknown(allowed);
    if unknown.is_empty() {
        return None;
    }
    let names: Vec<&str> = unknown.iter().map(String::as_str).collect();
    Some(NangoIssue::unrecognized_keys(&names, Vec::new()))
}

/// qs's decoding of one key or value: `+` is a space, then `decodeURIComponent`; text that does
/// not decode stays as it was.
fn decode(text: &str) -> String {
    let spaced = text.replace('+', " ");
    decode_uri_component(&spaced).unwrap_or(spaced)
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
        let q = Query::parse(Some("limit=1&limit=2"));
        assert_eq!(q.scalar("limit"), Scalar::Other(JsonType::Array));
    }

    #[test]
    fn object_parameters_go_through_cores_qs_model() {
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
}

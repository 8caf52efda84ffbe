//! The GET /connections tag filter (spec §1.8): `tags[key]=value` query parameters parsed the
//! way Nango's query parser (qs 6.15.3, `arrayLimit: 100`) and zod see them, the match rule
//! (Postgres `tags @> filter`), the query-string encoding, and the "fetch, merge locally, then
//! PATCH" helper [`merge_tags`].
//!
//! Tag rules come from [`crate::tags`] only; this module adds what the query string brings.
//! Other query parameters are ignored here ([`crate::request`] checks the rest of the query).
//! Knows nothing about HTTP, SQL or JavaScript values.
//!
//! What qs makes of unusual queries (verified by running qs 6.15.3; `nango` is what
//! [`nango_tag_filter_errors`] returns, connkit's codes in brackets):
//!
//! | query | qs gives `tags` = | result |
//! | --- | --- | --- |
//! | `tags%5Bk%5D=v%20x`, `tags[k]=v+x` | `{k:"v x"}` | ok |
//! | `tags[a]=1&tags[a]=2` | `{a:["1","2"]}` | invalid_type (array) [`tag_filter_key_repeated`] |
//! | 101 × `tags[a]=…` | `{a:{"0":…,"100":…}}` | invalid_type (object) [`tag_filter_key_repeated`] |
//! | `tags=foo` | `"foo"` | invalid_type (string) [`tags_not_object`] |
//! | `tags=` alone | `""` | invalid_type (string) [`tags_not_object`] |
//! | `tags[a]=1&tags=` | `{a:"1"}` (an empty value merges as a no-op) | ok |
//! | `tags[a]=1&tags=2`, `tags=&tags[a]=1` | `[{a:"1"},"2"]`, `["",{a:"1"}]` | invalid_type (array) [`tags_not_object`] |
//! | `tags[0]=x`, `tags[99]=x`, `tags[]=x` | `["x"]` | invalid_type (array) [`tags_not_object`] |
//! | `tags[100]=x`, `tags[a]=1&tags[]=2` | `{"100":"x"}`, `{"0":"2",a:"1"}` | invalid_key [`tag_key_invalid`] |
//! | `tags[a][b]=c`, `tags[a][]=c`, `tags[a][0]=c` | nested object / array | invalid_type [`tag_value_not_string`] |
//! | 6+ levels `tags[a][b][c][d][e][f]` | depth 5, then `"[f]"` as one key | invalid_type [`tag_value_not_string`] |
//! | `tags[a]` (no `=`), `tags[a]=` | `{a:""}` | too_small [`tag_value_empty`] |
//! | `tags[a.b]=c`, `tags[a/b]=c` | `{"a.b":"c"}` | ok (no `allowDots`) |
//! | `tags[A]=1&tags[a]=2` | `{A:"1",a:"2"}` | custom duplicate [`tag_key_duplicate`] |
//! | `tags[a]b=1`, `tags[a]]=1` | `{a:"1"}` (trailing text ignored) | ok |
//! | `tags[a=1`, `tags[[a]]=1`, `tags[ a ]=1` | keys `[a`, `[a]`, ` a ` | invalid_key [`tag_key_invalid`] |
//! | `[tags][a]=1` | `{a:"1"}` | ok |
//! | `tags[constructor]=1`, `tags[a][toString]=1` | part dropped (`tags` may vanish) | no filter! [`tag_filter_param_ignored`] |
//! | a `tags[…]` part after the 1000th `&` | dropped | no filter! [`tag_filter_param_ignored`] |
//! | `tags[a]=%ZZ`, `tags[a]=%E2%82` | `"%ZZ"`, `"%E2%82"` (undecoded) | ok |
//! | `TAGS[a]=1`, `tags.a=1`, `tags%255Ba%255D=1` | not `tags` | ignored here (GET /connections's strict query schema rejects them) |
//!
//! Choices where Nango gives no guidance: one leading `?` is stripped (pass `url.query()` or
//! `location.search`); a key given twice is reported as [`tag_filter_key_repeated`] even when qs
//! happens to keep one value (`tags[a]=1&[tags][a]=`); silently dropped parameters are errors
//! rather than a quietly wider filter.
//!
//! [`tag_filter_key_repeated`]: ErrorCode::TagFilterKeyRepeated
//! [`tags_not_object`]: ErrorCode::TagsNotObject
//! [`tag_key_invalid`]: ErrorCode::TagKeyInvalid
//! [`tag_value_not_string`]: ErrorCode::TagValueNotString
//! [`tag_value_empty`]: ErrorCode::TagValueEmpty
//! [`tag_key_duplicate`]: ErrorCode::TagKeyDuplicate
//! [`tag_filter_param_ignored`]: ErrorCode::TagFilterParamIgnored

mod merge;
mod qs;
mod qs_value;

use crate::js::push_percent_escape;
use crate::nango::NangoIssue;
use crate::prelude::*;
use crate::tags::{TagValueRef, Tags, lowercase, nango_tag_errors, validate_tag_entries};
use crate::{Detail, ErrorCode, Issue, JsonType, ValidationError};

pub use merge::{TagChange, merge_tag_changes, merge_tags};

use qs::{ParsedTags, parse_key, parse_tags, strip_brackets};

pub(crate) use qs::{decode as qs_decode, split_part as qs_split_part};
use qs_value::{QObj, Qv};

/// A valid tag filter: lowercase keys, values exactly as given. Empty means "no filter".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TagFilter {
    tags: Tags,
}

impl TagFilter {
    /// The filter that matches every connection.
    pub fn none() -> TagFilter {
        TagFilter::default()
    }

    /// A filter requiring all of `tags` (already validated, so keys are lowercase).
    pub fn from_tags(tags: Tags) -> TagFilter {
        TagFilter { tags }
    }

    /// The required `(key, value)` pairs, keys lowercase, in query order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.tags.iter()
    }

    /// The filter as tags.
    pub fn tags(&self) -> &Tags {
        &self.tags
    }

    /// True if the filter has no pair (it matches everything).
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    /// The filter as a JSON object (what Nango passes to `tags @> …::jsonb`).
    pub fn to_json(&self) -> serde_json::Value {
        self.tags.to_json()
    }

    /// True if a connection with `tags` matches: every pair present with exactly the same
    /// value (case-sensitive); extra tags do not matter; the empty filter matches everything.
    pub fn matches(&self, tags: &Tags) -> bool {
        self.iter().all(|(k, v)| tags.get(k) == Some(v))
    }

    /// [`TagFilter::matches`] over raw `(key, value)` pairs: keys are compared after
    /// lowercasing; when several pairs share a lowercased key the last one counts (as jsonb
    /// keeps the last duplicate).
    pub fn matches_pairs<'a>(&self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
        let pairs: Vec<(String, &str)> =
            pairs.into_iter().map(|(k, v)| (lowercase(k), v)).collect();
        self.iter().all(|(key, value)| {
            pairs
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .is_some_and(|(_, v)| *v == value)
        })
    }

    /// The filter as query parameters: `tags%5Bkey%5D=value` joined by `&`, in order, keys and
    /// values percent-encoded as `qs.stringify` does (everything but `A-Z a-z 0-9 - . _ ~`, as
    /// UTF-8, upper-case hex; a space is `%20`). Empty for the empty filter. Parsing the result
    /// (with this module or with qs) gives the same filter back.
    pub fn to_query_string(&self) -> String {
        let mut out = String::new();
        for (key, value) in self.iter() {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str("tags%5B");
            encode_component(key, &mut out);
            out.push_str("%5D=");
            encode_component(value, &mut out);
        }
        out
    }
}

/// RFC 3986 percent-encoding of everything but unreserved characters.
fn encode_component(s: &str, out: &mut String) {
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            push_percent_escape(out, b);
        }
    }
}

/// Parses the `tags[…]` parameters of a query string (with or without its leading `?`) into a
/// filter, or reports every problem. Issue paths start with `"tags"` (`["tags", "<raw key>"]`).
pub fn parse_tag_filter(query: &str) -> Result<TagFilter, ValidationError> {
    let parsed = parse_tags(strip_question_mark(query));
    let mut issues: Vec<Issue> = parsed
        .dropped
        .iter()
        .map(|d| Issue::new(ErrorCode::TagFilterParamIgnored, d.path.clone()))
        .collect();
    let prefix = ["tags".to_owned()];
    let tags = match &parsed.value {
        None => Some(Tags::default()),
        Some(Qv::Obj(obj)) => {
            let (tags, value_issues) = validate_object(obj, &parsed);
            issues.extend(value_issues.into_iter().map(|it| it.prefixed(&prefix)));
            tags
        }
        Some(other) => {
            let received = qv_type(other);
            issues.push(
                Issue::new(ErrorCode::TagsNotObject, prefix.to_vec())
                    .with_detail(Detail::Received(received)),
            );
            None
        }
    };
    ValidationError::from_issues(issues)?;
    Ok(TagFilter::from_tags(tags.unwrap_or_default()))
}

/// Validates the object qs built with the tag rules, then re-labels repeated keys.
fn validate_object(obj: &QObj, parsed: &ParsedTags) -> (Option<Tags>, Vec<Issue>) {
    let entries: Vec<(&str, TagValueRef<'_>)> = obj
        .js_entries()
        .into_iter()
        .map(|(k, v)| {
            let value = match v {
                Qv::Str(s) => TagValueRef::Str(s),
                other => TagValueRef::NotString(qv_type(other), None),
            };
            (k.as_str(), value)
        })
        .collect();
    let repeated = repeated_keys(parsed);
    let (tags, mut issues) = match validate_tag_entries(entries.iter().copied()) {
        Ok(tags) => (Some(tags), Vec::new()),
        Err(err) => (None, err.into_issues()),
    };
    // A value made an array (or object) only by repetition is a repeated key, not a nested one.
    issues.retain(|it| {
        !(it.code() == ErrorCode::TagValueNotString
            && it
                .path()
                .first()
                .is_some_and(|k| repeated.iter().any(|(r, nested)| r == k && !nested)))
    });
    for (key, _) in &repeated {
        issues.push(
            Issue::new(ErrorCode::TagFilterKeyRepeated, vec![key.clone()])
                .with_detail(Detail::Name(key.clone())),
        );
    }
    let tags = if issues.is_empty() { tags } else { None };
    (tags, issues)
}

/// Keys given more than once as `tags[key]=…`, each with whether it was also nested deeper.
fn repeated_keys(parsed: &ParsedTags) -> Vec<(String, bool)> {
    let mut counts: Vec<(String, usize, bool)> = Vec::new();
    for part in &parsed.parts {
        let Some(first) = part.groups.first() else {
            continue;
        };
        let key = strip_brackets(first).to_owned();
        let (plain, nested) = if part.groups.len() == 1 {
            (part.occurrences, false)
        } else {
            (0, true)
        };
        match counts.iter_mut().find(|(k, _, _)| *k == key) {
            Some(entry) => {
                entry.1 += plain;
                entry.2 |= nested;
            }
            None => counts.push((key, plain, nested)),
        }
    }
    counts
        .into_iter()
        .filter(|(_, plain, _)| *plain >= 2)
        .map(|(k, _, nested)| (k, nested))
        .collect()
}

/// The `errors` Nango's GET /connections returns for the `tags` part of `query` (400
/// `invalid_query_params`), paths like `["tags", "k"]`; `[]` when Nango accepts the filter.
pub fn nango_tag_filter_errors(query: &str) -> Vec<NangoIssue> {
    let parsed = parse_tags(strip_question_mark(query));
    match &parsed.value {
        None => Vec::new(),
        Some(value) => nango_tag_errors(&qs_value::to_json(value), &["tags".to_owned()]),
    }
}

/// What Nango's query parser makes of the `tags` key, as JSON (`None` when absent).
pub fn qs_tags_value(query: &str) -> Option<serde_json::Value> {
    qs_key_value(query, "tags")
}

/// What Nango's query parser makes of the top-level key `name`, as JSON (`None` when absent).
pub(crate) fn qs_key_value(query: &str, name: &str) -> Option<serde_json::Value> {
    parse_key(strip_question_mark(query), name)
        .value
        .as_ref()
        .map(qs_value::to_json)
}

fn strip_question_mark(query: &str) -> &str {
    query.strip_prefix('?').unwrap_or(query)
}

fn qv_type(v: &Qv) -> JsonType {
    match v {
        Qv::Str(_) => JsonType::String,
        Qv::Arr(_) => JsonType::Array,
        Qv::Obj(_) => JsonType::Object,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags::validate_tags;

    fn codes(query: &str) -> Vec<(&'static str, Vec<String>)> {
        match parse_tag_filter(query) {
            Ok(_) => Vec::new(),
            Err(err) => err
                .issues()
                .iter()
                .map(|it| (it.code().as_str(), it.path().to_vec()))
                .collect(),
        }
    }

    fn path(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| (*p).to_owned()).collect()
    }

    fn tags(json: serde_json::Value) -> Tags {
        validate_tags(&json).unwrap_or_default()
    }

    #[test]
    fn parses_and_normalises() {
        let filter = parse_tag_filter("tags%5BEnv%5D=Prod%20A&tags[team]=a+b&limit=5");
        assert_eq!(
            filter.map(|f| f.to_json()),
            Ok(serde_json::json!({"env": "Prod A", "team": "a b"}))
        );
        assert_eq!(parse_tag_filter("").map(|f| f.is_empty()), Ok(true));
        assert_eq!(
            parse_tag_filter("?tags[a]=1").map(|f| f.to_json()),
            Ok(serde_json::json!({"a": "1"}))
        );
    }

    #[test]
    fn reports_query_shapes() {
        assert_eq!(
            codes("tags[a]=1&tags[a]=2"),
            [("tag_filter_key_repeated", path(&["tags", "a"]))]
        );
        assert_eq!(codes("tags=foo"), [("tags_not_object", path(&["tags"]))]);
        assert_eq!(codes("tags[0]=x"), [("tags_not_object", path(&["tags"]))]);
        assert_eq!(
            codes("tags[a][b]=c"),
            [("tag_value_not_string", path(&["tags", "a"]))]
        );
        assert_eq!(
            codes("tags[a]"),
            [("tag_value_empty", path(&["tags", "a"]))]
        );
        assert_eq!(
            codes("tags[A]=1&tags[a]=2"),
            [("tag_key_duplicate", path(&["tags", "a"]))]
        );
        assert_eq!(
            codes("tags[constructor]=x"),
            [("tag_filter_param_ignored", path(&["tags", "constructor"]))]
        );
        assert!(codes("tags[a.b]=c").is_empty());
    }

    #[test]
    fn nango_projection_follows_qs_and_zod() {
        let errors = nango_tag_filter_errors("tags[a]=1&tags[a]=2");
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors.first().map(|e| (e.code, e.message.as_str())),
            Some((
                "invalid_type",
                "Invalid input: expected string, received array"
            ))
        );
        assert!(nango_tag_filter_errors("tags[constructor]=x").is_empty());
        let quirk = nango_tag_filter_errors("tags[a][length]=0");
        assert_eq!(
            quirk.iter().map(|e| e.code).collect::<Vec<_>>(),
            ["invalid_type", "too_small"]
        );
    }

    #[test]
    fn matching_is_and_with_exact_values() {
        let filter = TagFilter::from_tags(tags(serde_json::json!({"env": "prod", "team": "a"})));
        assert!(filter.matches(&tags(
            serde_json::json!({"env": "prod", "team": "a", "x": "y"})
        )));
        assert!(!filter.matches(&tags(serde_json::json!({"env": "prod"}))));
        assert!(!filter.matches(&tags(serde_json::json!({"env": "Prod", "team": "a"}))));
        assert!(TagFilter::none().matches(&Tags::default()));
        assert!(filter.matches_pairs([("ENV", "prod"), ("Team", "a")]));
        assert!(!filter.matches_pairs([("env", "prod"), ("team", "a"), ("TEAM", "b")]));
    }

    #[test]
    fn encoding_round_trips() {
        let filter = TagFilter::from_tags(tags(
            serde_json::json!({"k/x": "a&b=c+d% é]=[", "a.b-c_d": "~"}),
        ));
        let query = filter.to_query_string();
        assert_eq!(
            query,
            "tags%5Bk%2Fx%5D=a%26b%3Dc%2Bd%25%20%C3%A9%5D%3D%5B&tags%5Ba.b-c_d%5D=~"
        );
        assert_eq!(parse_tag_filter(&query), Ok(filter));
        assert_eq!(TagFilter::none().to_query_string(), "");
    }

    #[test]
    fn never_panics_and_never_accepts_what_nango_rejects() {
        const PIECES: &[&str] = &[
            "tags",
            "[",
            "]",
            "%5B",
            "%5d",
            "a",
            "A",
            "0",
            "100",
            "=",
            "&",
            "+",
            "%",
            "%ZZ",
            "%E2%82",
            "é",
            "constructor",
            "[]",
            "[a]",
            "[length]",
            "]=",
            "?",
            "#",
            "",
            "__proto__",
            ".",
        ];
        let mut seed: u64 = 0x5eed;
        for _ in 0..20_000 {
            let mut query = String::new();
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            for i in 0..(seed >> 60) {
                let pick = ((seed >> (i * 4 % 56)) as usize) % PIECES.len();
                query.push_str(PIECES.get(pick).copied().unwrap_or(""));
            }
            let verdict = parse_tag_filter(&query);
            let nango = nango_tag_filter_errors(&query);
            assert!(verdict.is_err() || nango.is_empty(), "{query}");
        }
    }
}

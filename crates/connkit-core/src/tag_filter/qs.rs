//! A model of what `qs.parse(query, {arrayLimit: 100})` (qs 6.15.3, Nango's Express query
//! parser) makes of one top-level key (`tags`; the auth endpoints' `params`): the string /
//! array / object tree zod then sees.
//!
//! Written from qs's documented and observed behaviour (every fact below was checked by running
//! qs 6.15.3); it models only what can reach that key. Knows nothing about tag rules or zod.
//!
//! Facts reproduced, in qs's own order:
//! * `%5B` / `%5D` (any case) become `[` / `]` in the whole string first, before splitting, so
//!   `tags%5Ba%5D=v` is `tags[a]=v`, and `tags=x%5D=y` has the key `tags=x]`.
//! * Only the first 1000 `&`-separated parts are read (`parameterLimit`); later ones are dropped
//!   silently. Empty parts count.
//! * A part splits at its first `]=` (keeping the `]` in the key), else at its first `=`; no `=`
//!   means the value `""`. Key and value are decoded separately: `+` → space, then
//!   `decodeURIComponent`; if that fails (bad `%` escape, invalid UTF-8) the whole piece stays
//!   undecoded (with `+` still turned into spaces).
//! * Parts with the same decoded key are combined into an array (`tags[a]=1&tags[a]=2` →
//!   `["1","2"]`); past 100 items it becomes an object `{"0":…,"100":…}`.
//! * A key is `parent[seg1][seg2]…`: brackets may nest (`tags[[a]]` → key `[a]`), an unclosed
//!   group is kept literally (`tags[a` → key `[a`), text after a group that is not a group is
//!   ignored (`tags[a]b` → key `a`), and past 5 groups the rest is one literal key. A key that
//!   starts with `[` has its first group as parent (`[tags][a]=1` is `tags[a]=1`).
//! * Any group (or parent) named like an `Object.prototype` property (`constructor`,
//!   `toString`, `__proto__`, …) drops the whole part silently.
//! * `[]` appends to an array; `[n]` with a canonical integer `n < 100` makes a (sparse,
//!   later compacted) array, `n ≥ 100` an object with key `n`; anything else an object key.
//! * Parts are merged in order of first appearance of their decoded key: a string merged into an
//!   object or string gives a two-item array (`strictMerge`), `""` merged into anything is a
//!   no-op, objects merge key by key, arrays merged with objects become objects.

use alloc::collections::BTreeMap;

use crate::js::decode_uri_component;
use crate::prelude::*;

use super::qs_value::{ARRAY_LIMIT, QObj, Qv, array_index, combine, compact, merge};

/// The number of parts qs reads (`parameterLimit`).
pub(super) const PARAMETER_LIMIT: usize = 1000;
/// qs's default `depth`.
const DEPTH: usize = 5;
/// The own properties of `Object.prototype` (Node 20): qs drops any part naming one.
const PROTOTYPE_NAMES: [&str; 12] = [
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "hasOwnProperty",
    "__lookupGetter__",
    "__lookupSetter__",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toString",
    "valueOf",
    "__proto__",
    "toLocaleString",
];

/// One part of the query that addresses the top-level key.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TagsPart {
    /// The bracket groups after the key, with their brackets (`["[a]"]` for `tags[a]=v`).
    pub(super) groups: Vec<String>,
    /// How many parts had this exact decoded key (they were combined).
    pub(super) occurrences: usize,
}

/// A part qs dropped although it addressed the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DroppedPart {
    /// The key followed by the contents of the groups read so far.
    pub(super) path: Vec<String>,
}

/// What qs made of the key, and where it came from.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct ParsedTags {
    /// The final value of the key, if any part set it.
    pub(super) value: Option<Qv>,
    /// The parts that reached the key, one per distinct decoded key, in merge order.
    pub(super) parts: Vec<TagsPart>,
    /// Parts aimed at the key that qs dropped silently.
    pub(super) dropped: Vec<DroppedPart>,
}

/// Parses `query` (no leading `?`) like qs and returns what ends up under `tags`.
pub(super) fn parse_tags(query: &str) -> ParsedTags {
    parse_key(query, "tags")
}

/// Parses `query` (no leading `?`) like qs and returns what ends up under the top-level `name`.
pub(super) fn parse_key(query: &str, name: &str) -> ParsedTags {
    let clean = replace_brackets(query);
    let mut out = ParsedTags::default();
    // Distinct decoded keys addressing `tags`, in order of first appearance, with their values.
    let mut temp: Vec<(Vec<String>, Qv, usize)> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut seen_dropped: BTreeMap<String, usize> = BTreeMap::new();
    for (n, part) in clean.split('&').enumerate() {
        let (raw_key, raw_value) = split_part(part);
        let key = decode(raw_key);
        if key.is_empty() {
            continue;
        }
        let segments = match split_segments(&key) {
            Split::Segments(segments) => segments,
            Split::Dropped(path) => {
                if path.first().is_some_and(|p| p == name) {
                    push_dropped(&mut out.dropped, &mut seen_dropped, path);
                }
                continue;
            }
        };
        let Some(groups) = key_groups(&segments, name) else {
            continue;
        };
        if n >= PARAMETER_LIMIT {
            let mut path = vec![name.to_owned()];
            path.extend(groups.iter().map(|g| strip_brackets(g).to_owned()));
            push_dropped(&mut out.dropped, &mut seen_dropped, path);
            continue;
        }
        let value = Qv::Str(decode(raw_value));
        match index.get(&key) {
            Some(&i) => {
                if let Some((_, existing, count)) = temp.get_mut(i) {
                    let old = core::mem::replace(existing, Qv::Str(String::new()));
                    *existing = combine(old, value);
                    *count += 1;
                }
            }
            None => {
                index.insert(key, temp.len());
                temp.push((groups, value, 1));
            }
        }
    }
    for (groups, value, occurrences) in temp {
        let built = build(&groups, value);
        out.value = Some(match out.value.take() {
            None => built,
            Some(existing) => merge(existing, built),
        });
        out.parts.push(TagsPart {
            groups,
            occurrences,
        });
    }
    out.value = out.value.map(compact);
    out
}

/// Records a dropped part once per path.
///
/// `seen` holds the paths written as one string each, every segment prefixed by its length
/// (so distinct paths never collide), in a map of the same type as the key index: one copy
/// of the hash map code in the wasm build instead of one more for a set of `Vec<String>`.
fn push_dropped(
    dropped: &mut Vec<DroppedPart>,
    seen: &mut BTreeMap<String, usize>,
    path: Vec<String>,
) {
    let mut key = String::new();
    for segment in &path {
        key.push_str(&segment.len().to_string());
        key.push(':');
        key.push_str(segment);
    }
    if seen.insert(key, dropped.len()).is_none() {
        dropped.push(DroppedPart { path });
    }
}

/// `%5B` → `[` and `%5D` → `]`, any case.
fn replace_brackets(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    while let Some(pos) = rest.find('%') {
        out.push_str(rest.get(..pos).unwrap_or(""));
        let after = rest.get(pos..).unwrap_or("");
        let code = after.get(1..3).map(str::to_ascii_uppercase);
        match code.as_deref() {
            Some("5B") => {
                out.push('[');
                rest = after.get(3..).unwrap_or("");
            }
            Some("5D") => {
                out.push(']');
                rest = after.get(3..).unwrap_or("");
            }
            _ => {
                out.push('%');
                rest = after.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// Splits a part at its first `]=` (key keeps the `]`), else its first `=`.
pub(crate) fn split_part(part: &str) -> (&str, &str) {
    let pos = match part.find("]=") {
        Some(p) => Some(p + 1),
        None => part.find('='),
    };
    match pos {
        Some(p) => (part.get(..p).unwrap_or(""), part.get(p + 1..).unwrap_or("")),
        None => (part, ""),
    }
}

/// qs's decoder: `+` → space, then `decodeURIComponent`, or the `+`-replaced text if that fails.
pub(crate) fn decode(raw: &str) -> String {
    let spaced = raw.replace('+', " ");
    decode_uri_component(&spaced).unwrap_or(spaced)
}

enum Split {
    Segments(Vec<String>),
    /// Dropped by the prototype guard; the path read so far (parent, then group contents).
    Dropped(Vec<String>),
}

/// qs's `splitKeyIntoSegments` with depth 5.
fn split_segments(key: &str) -> Split {
    let first = key.find('[');
    let parent = match first {
        Some(p) => key.get(..p).unwrap_or(""),
        None => key,
    };
    let mut segments: Vec<String> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    if !parent.is_empty() {
        path.push(parent.to_owned());
        if PROTOTYPE_NAMES.contains(&parent) {
            return Split::Dropped(path);
        }
        segments.push(parent.to_owned());
    }
    let bytes = key.as_bytes();
    let mut open = first;
    let mut collected = 0;
    while let Some(o) = open {
        if collected >= DEPTH {
            break;
        }
        let mut level = 1usize;
        let mut close = None;
        let mut i = o + 1;
        while let Some(&c) = bytes.get(i) {
            if c == b'[' {
                level += 1;
            } else if c == b']' {
                level -= 1;
                if level == 0 {
                    close = Some(i);
                    break;
                }
            }
            i += 1;
        }
        let Some(c) = close else {
            segments.push(format!("[{}]", key.get(o..).unwrap_or("")));
            return Split::Segments(segments);
        };
        let seg = key.get(o..=c).unwrap_or("");
        let content = seg.get(1..seg.len().saturating_sub(1)).unwrap_or("");
        path.push(content.to_owned());
        if PROTOTYPE_NAMES.contains(&content) {
            return Split::Dropped(path);
        }
        segments.push(seg.to_owned());
        collected += 1;
        open = key
            .get(c + 1..)
            .and_then(|r| r.find('['))
            .map(|p| p + c + 1);
    }
    if let Some(o) = open {
        segments.push(format!("[{}]", key.get(o..).unwrap_or("")));
    }
    Split::Segments(segments)
}

/// The groups after `name` if the segments address the top-level key `name` (as the parent,
/// `tags[a]`, or as the first group, `[tags][a]`: a parent never starts with `[`).
fn key_groups(segments: &[String], name: &str) -> Option<Vec<String>> {
    let (first, rest) = segments.split_first()?;
    (strip_brackets(first) == name).then(|| rest.to_vec())
}

/// `[x]` → `x`; anything else unchanged (qs's `cleanRoot`).
pub(super) fn strip_brackets(seg: &str) -> &str {
    if seg.len() >= 2 && seg.starts_with('[') && seg.ends_with(']') {
        seg.get(1..seg.len() - 1).unwrap_or(seg)
    } else {
        seg
    }
}

/// qs's `parseObject` for the groups below `tags`.
fn build(groups: &[String], leaf: Qv) -> Qv {
    let mut leaf = leaf;
    for root in groups.iter().rev() {
        leaf = if root == "[]" {
            match leaf {
                Qv::Obj(o) if o.overflow.is_some() => Qv::Obj(o),
                other => combine(Qv::Arr(Vec::new()), other),
            }
        } else {
            let clean = strip_brackets(root);
            let bracketed = clean.len() != root.len();
            match array_index(clean).filter(|_| bracketed) {
                Some(i) if i < ARRAY_LIMIT as f64 => {
                    let mut arr: Vec<Option<Qv>> = vec![None; i as usize];
                    arr.push(Some(leaf));
                    Qv::Arr(arr)
                }
                Some(i) => Qv::Obj(QObj {
                    entries: vec![(clean.to_owned(), leaf)],
                    overflow: Some(i),
                }),
                None if clean == "__proto__" => Qv::Obj(QObj::default()),
                None => Qv::Obj(QObj {
                    entries: vec![(clean.to_owned(), leaf)],
                    overflow: None,
                }),
            }
        };
    }
    leaf
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag_filter::qs_value::to_json;
    use serde_json::json;

    fn tags_of(query: &str) -> serde_json::Value {
        parse_tags(query)
            .value
            .as_ref()
            .map_or(serde_json::Value::Null, to_json)
    }

    #[test]
    fn decoding_falls_back_to_the_raw_text() {
        assert_eq!(decode("a+b%20c"), "a b c");
        assert_eq!(decode("x%20y%ZZ"), "x%20y%ZZ");
        assert_eq!(decode("%E2%82"), "%E2%82");
        assert_eq!(decode("%F0%9F%98%80"), "😀");
    }

    #[test]
    fn brackets_and_merges_follow_qs() {
        assert_eq!(tags_of("tags%5Ba%5D=1"), json!({"a": "1"}));
        assert_eq!(
            tags_of("tags[a]b=1&tags[[c]]=2&tags[d=3"),
            json!({"a": "1", "[c]": "2", "[d": "3"})
        );
        assert_eq!(tags_of("tags[5]=x&tags[2]=y"), json!(["y", "x"]));
        assert_eq!(tags_of("tags[100]=x"), json!({"100": "x"}));
        assert_eq!(tags_of("tags[a]=1&tags=2"), json!([{"a": "1"}, "2"]));
        assert_eq!(tags_of("tags[a]=1&tags="), json!({"a": "1"}));
        assert_eq!(
            tags_of("tags[a]=x&tags[a][100]=y"),
            json!({"a": {"0": "x", "101": "y"}})
        );
        assert_eq!(
            tags_of("tags[b]=1&tags[0]=x").to_string(),
            r#"{"0":"x","b":"1"}"#
        );
        assert_eq!(tags_of("tags[a][toString]=1"), serde_json::Value::Null);
    }

    #[test]
    fn repeated_values_overflow_into_an_object() {
        let query: Vec<String> = (0..101).map(|i| format!("tags[a]=v{i}")).collect();
        let parsed = parse_tags(&query.join("&"));
        let value = parsed.value.as_ref().map(to_json).unwrap_or_default();
        assert_eq!(value["a"]["100"], "v100");
        assert_eq!(parsed.parts.first().map(|p| p.occurrences), Some(101));
    }

    #[test]
    fn parts_after_the_limit_are_dropped() {
        let mut parts: Vec<String> = (0..PARAMETER_LIMIT).map(|i| format!("x{i}=1")).collect();
        parts.push("tags[a]=1".to_owned());
        let parsed = parse_tags(&parts.join("&"));
        assert_eq!(parsed.value, None);
        assert_eq!(
            parsed.dropped.first().map(|d| d.path.clone()),
            Some(vec!["tags".to_owned(), "a".to_owned()])
        );
    }
}

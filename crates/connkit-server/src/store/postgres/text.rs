//! What PostgreSQL cannot hold as the API gives it: a text value cannot contain U+0000, and
//! neither can a jsonb string, while tags, end-user fields, searches and WebSocket client ids
//! may. Each value is stored in a form that keeps equality (and, for searches, substrings):
//!
//! - tag values in `tag_set` (jsonb): as given, unless the value holds a NUL or starts with
//!   [`ESCAPED`]; then `ESCAPED` and the value's bytes in hex. Injective, so `@>` matches exactly
//!   the values it matched before, and filters are escaped the same way.
//! - end-user fields that filters and `search` compare: their UTF-8 bytes (`bytea`).
//!
//! Knows nothing about SQL statements or the rules.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::{Map, Value};

/// The first character of an escaped tag value (no tag value that is stored as given starts
/// with it).
const ESCAPED: char = '\u{1}';

/// The `tag_set` value of a tag value.
pub(super) fn tag_value(value: &str) -> Cow<'_, str> {
    if !value.contains('\0') && !value.starts_with(ESCAPED) {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(1 + 2 * value.len());
    out.push(ESCAPED);
    for byte in value.bytes() {
        let _ = write!(out, "{byte:02x}");
    }
    Cow::Owned(out)
}

/// The jsonb text of `tag_set` for these pairs (a row's tags, or a filter's).
pub(super) fn tag_set<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let map: Map<String, Value> = pairs
        .map(|(key, value)| (key.to_owned(), Value::from(tag_value(value).into_owned())))
        .collect();
    Value::Object(map).to_string()
}

/// The columns filters and `search` read from an end user, as bytes: its id, its
/// organization's id, and its display name and email ASCII-lowercased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct EndUserColumns {
    pub(super) id: Option<Vec<u8>>,
    pub(super) organization_id: Option<Vec<u8>>,
    pub(super) name_lower: Option<Vec<u8>>,
    pub(super) email_lower: Option<Vec<u8>>,
}

impl EndUserColumns {
    /// The columns of `end_user` (`{id, email?, display_name?, organization?: {id}}`); a part
    /// that is absent or not a string is NULL, as SQLite's `json_extract` compares it.
    pub(super) fn of(end_user: Option<&Value>) -> EndUserColumns {
        let Some(end_user) = end_user else {
            return EndUserColumns::default();
        };
        fn bytes(v: Option<&Value>) -> Option<Vec<u8>> {
            v.and_then(Value::as_str).map(|s| s.as_bytes().to_vec())
        }
        fn lower(v: Option<&Value>) -> Option<Vec<u8>> {
            v.and_then(Value::as_str)
                .map(|s| s.as_bytes().to_ascii_lowercase())
        }
        EndUserColumns {
            id: bytes(end_user.get("id")),
            organization_id: bytes(end_user.get("organization").and_then(|o| o.get("id"))),
            name_lower: lower(end_user.get("display_name")),
            email_lower: lower(end_user.get("email")),
        }
    }
}

/// `text` when PostgreSQL can hold it; `None` when it contains a NUL (no stored text does, so
/// such a value matches nothing).
pub(super) fn storable(text: &str) -> Option<&str> {
    (!text.contains('\0')).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tag_values_escape_only_what_jsonb_cannot_hold_and_stay_distinct() {
        assert_eq!(tag_value("pro"), "pro");
        assert_eq!(tag_value("a\0b"), "\u{1}610062");
        // A value that looks like an escaped one is escaped itself.
        assert_eq!(tag_value("\u{1}610062"), "\u{1}01363130303632");
        let values = ["", "a", "a\0b", "\u{1}610062", "\u{1}", "\0", "\0\0"];
        let escaped: std::collections::HashSet<_> = values.iter().map(|v| tag_value(v)).collect();
        assert_eq!(escaped.len(), values.len());
        assert!(escaped.iter().all(|v| !v.contains('\0')));
        assert_eq!(
            tag_set([("plan", "pro"), ("k", "x\0")].into_iter()),
            r#"{"plan":"pro","k":"\u000178"#.to_owned() + "00\"}"
        );
    }

    #[test]
    fn end_user_columns_are_bytes_and_lowercase_only_ascii() {
        let end_user = json!({"id": "U\u{0}1", "display_name": "ÉVA Ng", "email": "A@B.io",
                              "organization": {"id": "o1"}});
        let columns = EndUserColumns::of(Some(&end_user));
        assert_eq!(columns.id.as_deref(), Some(&b"U\x001"[..]));
        assert_eq!(columns.organization_id.as_deref(), Some(&b"o1"[..]));
        assert_eq!(columns.name_lower, Some("Éva ng".as_bytes().to_vec()));
        assert_eq!(columns.email_lower.as_deref(), Some(&b"a@b.io"[..]));
        let numeric = EndUserColumns::of(Some(&json!({"id": 5})));
        assert_eq!(numeric, EndUserColumns::default());
        assert_eq!(EndUserColumns::of(None), EndUserColumns::default());
        assert_eq!(storable("a\0"), None);
        assert_eq!(storable("a"), Some("a"));
    }
}

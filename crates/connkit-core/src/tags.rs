//! Connection tags (spec §1.2–1.4): validation, normalisation and Nango's error projection.
//!
//! Rules: an object of at most 10 keys; keys match `^[a-zA-Z][a-zA-Z0-9_\-./]*$` and are at most
//! 64 UTF-16 units; keys are lowercased and must stay distinct; values are non-empty strings of
//! at most 255 UTF-16 units; `end_user_email` must be an email under zod 4.0.5's rule.
//!
//! [`check_tag_entries`] is the rule, written once: it reports every problem to a callback and
//! allocates nothing for the usual handful of tags (the npm package's hot path calls it
//! directly). [`validate_tags`] and [`validate_tag_entries`] collect its problems as issues.
//! [`nango_tag_errors`] reproduces the shorter list Nango's API returns (zod's abort rules hide
//! some problems behind others).
//!
//! Input arrives as `(key, value)` pairs in JavaScript's own-key order, so hosts that do not hold
//! a `serde_json::Value` (the wasm façade reads JS objects directly) feed the same rule.

use crate::ascii::eq_ignore_case;
use crate::email::is_valid_email;
use crate::js::{is_array_index, js_key_order, js_len};
use crate::limits::{EMAIL_MIN_LEN, TAG_KEY_MAX_LEN, TAG_MAX_COUNT, TAG_VALUE_MAX_LEN};
use crate::nango::{LenCheck, NangoIssue, length_quirk_issues, path_with};
use crate::prelude::*;
use crate::{Detail, ErrorCode, Issue, JsonType, ValidationError};

mod facts;
pub use facts::{DuplicateName, EntryDetail, KeyFacts};

/// The tag key whose value must be an email address (compared after lowercasing).
pub const END_USER_EMAIL_KEY: &str = "end_user_email";

/// The key no tags object may have, in any case (see [`ErrorCode::TagKeyReserved`]).
pub const RESERVED_KEY: &str = "constructor";

/// A tag value as a host sees it: a string, or something else of a known type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TagValueRef<'a> {
    /// A string value.
    Str(&'a str),
    /// Any non-string value: its type, and its `length` property as JavaScript's `>=` would see
    /// it (`None` when it has none). zod 4.0.5 runs its string length checks on anything with a
    /// `length` (arrays, objects with a `length` key), which shows in Nango's error list.
    NotString(JsonType, Option<f64>),
}

impl<'a> TagValueRef<'a> {
    /// Views a JSON value.
    pub fn of(value: &'a serde_json::Value) -> TagValueRef<'a> {
        match value {
            serde_json::Value::String(s) => TagValueRef::Str(s),
            other => TagValueRef::NotString(JsonType::of(other), length_property(other)),
        }
    }
}

/// A valid, normalised tags object: lowercase keys, values as given, in input order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tags {
    entries: Vec<(String, String)>,
}

impl Tags {
    /// The `(key, value)` pairs, keys lowercase, in input order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value of `key` (which must be lowercase to match).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Number of tags.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if there are no tags.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The tags as a JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        let map = self
            .entries
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        serde_json::Value::Object(map)
    }

    /// Consumes the tags, giving the `(key, value)` pairs.
    pub fn into_entries(self) -> Vec<(String, String)> {
        self.entries
    }

    /// Builds tags from pairs that already passed validation (crate-internal).
    pub(crate) fn from_valid_entries(entries: Vec<(String, String)>) -> Tags {
        Tags { entries }
    }
}

/// Validates and normalises a tags value (spec §1.2), reporting every problem.
///
/// Issue paths are relative to the tags object: `[]` for the object itself, `[rawKey]` for a key
/// or its value.
pub fn validate_tags(input: &serde_json::Value) -> Result<Tags, ValidationError> {
    match input {
        serde_json::Value::Object(map) => {
            with_js_order(map, |entries| validate_tag_entries(entries.iter().copied()))
        }
        other => Err(not_object(JsonType::of(other))),
    }
}

/// Calls `f` with the map's entries in JavaScript's own-key order.
fn with_js_order<'a, R>(
    map: &'a serde_json::Map<String, serde_json::Value>,
    f: impl FnOnce(&[(&'a str, TagValueRef<'a>)]) -> R,
) -> R {
    let mut pairs: Vec<(&str, TagValueRef<'_>)> = map
        .iter()
        .map(|(k, v)| (k.as_str(), TagValueRef::of(v)))
        .collect();
    if pairs.iter().any(|(k, _)| is_array_index(k)) {
        let order = js_key_order(pairs.iter().map(|(k, _)| *k));
        pairs = order
            .into_iter()
            .filter_map(|i| pairs.get(i).copied())
            .collect();
    }
    f(&pairs)
}

/// The error for a tags value that is not an object at all.
pub fn not_object(received: JsonType) -> ValidationError {
    let issue =
        Issue::new(ErrorCode::TagsNotObject, Vec::new()).with_detail(Detail::Received(received));
    match ValidationError::from_issues(vec![issue]) {
        Err(err) => err,
        Ok(_) => unreachable!("an error-severity issue always makes a ValidationError"),
    }
}

/// The normal form of a key [`validate_tag_entries`] accepted, in place: its lowercase (valid
/// keys are ASCII).
pub fn normalise_valid_key(key: &mut str) {
    key.make_ascii_lowercase();
}

/// The bytes of [`normalise_valid_key`]'s normal form, for hosts that write it into a buffer.
pub fn normal_key_bytes(key: &str) -> impl Iterator<Item = u8> + '_ {
    key.bytes().map(|b| b.to_ascii_lowercase())
}

/// Inputs up to this many keys are checked for duplicates without allocating.
const SMALL: usize = 32;

/// The tags rule (spec §1.2) over `(key, value)` entries in JavaScript's own-key order (see
/// [`crate::js::js_key_order`]): calls `report(entry, code, detail)` for each problem, in the
/// order [`validate_tag_entries`] lists them (`entry` is the index of the entry the problem is
/// about, `None` for the tags object itself). True when there was none.
///
/// Allocates nothing for up to 32 entries: a duplicate's name is reported as an
/// [`EntryDetail::Name`], built only when asked for.
pub fn check_tag_entries<'a>(
    entries: &[(&'a str, TagValueRef<'_>)],
    report: impl FnMut(Option<usize>, ErrorCode, EntryDetail<'a>),
) -> bool {
    check_tag_entries_with(
        entries,
        |i| KeyFacts::of(entries.get(i).map_or("", |e| e.0)),
        report,
    )
}

/// [`check_tag_entries`], with `facts(i)` giving [`KeyFacts::of`] entry `i`'s key: a host that
/// sees the same keys call after call keeps their facts instead of deciding them again.
pub fn check_tag_entries_with<'a>(
    entries: &[(&'a str, TagValueRef<'_>)],
    facts: impl Fn(usize) -> KeyFacts,
    mut report: impl FnMut(Option<usize>, ErrorCode, EntryDetail<'a>),
) -> bool {
    let mut valid = true;
    let mut issue = |at: Option<usize>, code: ErrorCode, detail: EntryDetail<'a>| {
        valid = false;
        report(at, code, detail);
    };
    // Past 32 keys (invalid anyway: at most 10 are allowed) the duplicates are found up front by
    // sorting, so that hostile inputs stay O(n log n).
    let late = (entries.len() > SMALL).then(|| late_duplicates(entries));
    // Up to 32 keys: each earlier key whose cheap signature matches is compared in full.
    let mut signatures = [0u32; SMALL];
    for (i, (key, value)) in entries.iter().enumerate() {
        let at = Some(i);
        let key_facts = facts(i);
        if !key_facts.pattern_ok() {
            issue(at, ErrorCode::TagKeyInvalid, EntryDetail::None);
        }
        if key_facts.too_long() {
            let limit = EntryDetail::Limit(TAG_KEY_MAX_LEN);
            issue(at, ErrorCode::TagKeyTooLong, limit);
        }
        if let Some((code, detail)) = value_problem(*value) {
            issue(at, code, detail);
        }
        if key_facts.reserved() {
            issue(at, ErrorCode::TagKeyReserved, EntryDetail::None);
        }
        let duplicate = match &late {
            Some(late) => late[i],
            None => {
                let signature = key_facts.signature();
                signatures[i] = signature;
                (0..i).any(|j| {
                    signatures[j] == signature
                        && eq_ignore_case(entries[j].0.as_bytes(), key.as_bytes())
                })
            }
        };
        if duplicate {
            let name = EntryDetail::Name(DuplicateName(key));
            issue(at, ErrorCode::TagKeyDuplicate, name);
        }
        if key_facts.email_key()
            && matches!(value, TagValueRef::Str(text) if !is_valid_tag_email(text))
        {
            issue(at, ErrorCode::TagEndUserEmailInvalid, EntryDetail::None);
        }
    }
    if entries.len() > TAG_MAX_COUNT {
        let limit = EntryDetail::Limit(TAG_MAX_COUNT);
        issue(None, ErrorCode::TagsTooMany, limit);
    }
    valid
}

/// For each entry, whether an earlier entry has the same key after `lowercase`: entries sorted
/// by lowercase key (ties in entry order), each one equal to the one before it is a duplicate.
fn late_duplicates(entries: &[(&str, TagValueRef<'_>)]) -> Vec<bool> {
    let lower = |i: usize| entries[i].0.bytes().map(|b| b.to_ascii_lowercase());
    let order = crate::js::stable_order_by(entries.len(), |a, b| lower(a).le(lower(b)));
    let mut late = vec![false; entries.len()];
    for pair in order.windows(2) {
        if eq_ignore_case(entries[pair[0]].0.as_bytes(), entries[pair[1]].0.as_bytes()) {
            late[pair[1]] = true;
        }
    }
    late
}

/// Validates `(key, value)` pairs given in JavaScript's own-key order (see [`crate::js::js_key_order`]),
/// reporting every problem ([`check_tag_entries`] with paths `[rawKey]` or `[]`).
pub fn validate_tag_entries<'a>(
    entries: impl IntoIterator<Item = (&'a str, TagValueRef<'a>)>,
) -> Result<Tags, ValidationError> {
    let entries: Vec<(&str, TagValueRef<'_>)> = entries.into_iter().collect();
    let mut issues = Vec::new();
    check_tag_entries(&entries, |at, code, detail| {
        let path = at.map(|i| vec![entries[i].0.to_owned()]);
        issues.push(Issue::new(code, path.unwrap_or_default()).with_detail(detail.into_detail()));
    });
    ValidationError::from_issues(issues)?;
    let normal = entries.iter().map(|(key, value)| {
        let text = match value {
            TagValueRef::Str(s) => s,
            TagValueRef::NotString(..) => "",
        };
        (lowercase(key), (*text).to_owned())
    });
    Ok(Tags::from_valid_entries(normal.collect()))
}

/// The `errors` Nango's API returns for a tags value at `prefix` (e.g. `["tags"]`), following zod
/// 4.0.5's abort rules (spec §1.2): an invalid key or a non-string value hides the count,
/// duplicate and email checks; more than 10 keys hides the duplicate and email checks.
/// An empty list means Nango accepts the value.
pub fn nango_tag_errors(input: &serde_json::Value, prefix: &[String]) -> Vec<NangoIssue> {
    match input {
        serde_json::Value::Object(map) => {
            with_js_order(map, |entries| nango_tag_entry_errors(entries, prefix))
        }
        other => vec![NangoIssue::invalid_type(
            JsonType::Record,
            JsonType::of(other),
            prefix.to_vec(),
        )],
    }
}

/// [`nango_tag_errors`] over `(key, value)` pairs in JavaScript's own-key order.
pub fn nango_tag_entry_errors(
    entries: &[(&str, TagValueRef<'_>)],
    prefix: &[String],
) -> Vec<NangoIssue> {
    // zod 4.0.5's record parser first checks for a plain object by reading `input.constructor`:
    // an own `constructor` key makes it "not a record" (and `null` there makes it throw, which
    // Nango answers with a 500; the projection reports the 400 Nango gives for other values).
    if entries.iter().any(|(key, _)| *key == RESERVED_KEY) {
        return vec![NangoIssue::invalid_type(
            JsonType::Record,
            JsonType::Object,
            prefix.to_vec(),
        )];
    }
    let mut errors = Vec::new();
    let mut abort = false;
    // zod's record parser skips `__proto__` entirely: not validated, not in the output.
    let kept = || entries.iter().filter(|(key, _)| *key != "__proto__");
    for (key, value) in kept() {
        let path = || path_with(prefix, key);
        if !is_valid_key_pattern(key) || js_len(key) > TAG_KEY_MAX_LEN {
            errors.push(NangoIssue::invalid_key(path()));
            abort = true;
            continue;
        }
        match *value {
            TagValueRef::NotString(received, length) => {
                errors.push(NangoIssue::invalid_type(JsonType::String, received, path()));
                // zod's length checks still run on a value with a `length`.
                if let Some(length) = length {
                    let origin = if received == JsonType::Array {
                        "array"
                    } else {
                        "unknown"
                    };
                    errors.extend(length_quirk_issues(
                        length,
                        origin,
                        &VALUE_LENGTH_CHECKS,
                        &path(),
                    ));
                }
                abort = true;
            }
            TagValueRef::Str("") => errors.push(NangoIssue::string_too_small(1, path())),
            TagValueRef::Str(s) if js_len(s) > TAG_VALUE_MAX_LEN => {
                errors.push(NangoIssue::new("too_big", too_big_message(), path()));
            }
            TagValueRef::Str(_) => {}
        }
    }
    if abort {
        return errors;
    }
    let prefix_path = || prefix.to_vec();
    if kept().count() > TAG_MAX_COUNT {
        errors.push(NangoIssue::custom(
            format!("Tags cannot contain more than {TAG_MAX_COUNT} keys"),
            prefix_path(),
        ));
        return errors;
    }
    // At most 10 keys here: a list is enough.
    let mut seen: Vec<String> = Vec::with_capacity(TAG_MAX_COUNT);
    for (key, value) in kept() {
        let lower = lowercase(key);
        if seen.contains(&lower) {
            errors.push(NangoIssue::custom(
                format!("Duplicate tag key after case normalization: \"{lower}\""),
                prefix_path(),
            ));
        }
        if lower == END_USER_EMAIL_KEY
            && !matches!(value, TagValueRef::Str(s) if is_valid_tag_email(s))
        {
            errors.push(NangoIssue::custom(
                format!("Tag \"{END_USER_EMAIL_KEY}\" must be a valid email"),
                prefix_path(),
            ));
        }
        seen.push(lower);
    }
    errors
}

/// The length checks of Nango's tag value schema: `min(1)`, then `max(255)` with its message.
const VALUE_LENGTH_CHECKS: [LenCheck; 2] = [
    LenCheck::Min(1),
    LenCheck::Max(
        TAG_VALUE_MAX_LEN,
        Some("Tag values must be at most 255 characters"),
    ),
];

/// Nango's message for a tag value over 255 units.
fn too_big_message() -> String {
    format!("Tag values must be at most {TAG_VALUE_MAX_LEN} characters")
}

/// The `length` property of a JSON value as a number, the way JavaScript's `>=` converts it:
/// an array's element count, an object's `length` key; `None` for values without one.
fn length_property(value: &serde_json::Value) -> Option<f64> {
    match value {
        serde_json::Value::Array(items) => Some(items.len() as f64),
        serde_json::Value::Object(map) => map.get("length").map(crate::js::to_number),
        _ => None,
    }
}

/// `^[a-zA-Z][a-zA-Z0-9_\-./]*$`.
pub fn is_valid_key_pattern(key: &str) -> bool {
    let mut bytes = key.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic())
        && bytes.all(|b| KEY_BYTES[usize::from(b)])
}

/// The bytes a key may hold after its first: `[a-zA-Z0-9_\-./]` (a table: keys are checked on
/// every call of the hot path).
const KEY_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/');
        b += 1;
    }
    table
};

/// True if `key` is a valid tag key (pattern and length).
pub fn is_valid_key(key: &str) -> bool {
    is_valid_key_pattern(key) && key.len() <= TAG_KEY_MAX_LEN
}

/// The problem with a tag value, if any.
fn value_problem(value: TagValueRef<'_>) -> Option<(ErrorCode, EntryDetail<'static>)> {
    match value {
        TagValueRef::NotString(received, _) => Some((
            ErrorCode::TagValueNotString,
            EntryDetail::Received(received),
        )),
        TagValueRef::Str("") => Some((ErrorCode::TagValueEmpty, EntryDetail::None)),
        // UTF-16 is never longer than UTF-8: short byte strings need no counting.
        TagValueRef::Str(s) if s.len() > TAG_VALUE_MAX_LEN && js_len(s) > TAG_VALUE_MAX_LEN => {
            Some((
                ErrorCode::TagValueTooLong,
                EntryDetail::Limit(TAG_VALUE_MAX_LEN),
            ))
        }
        TagValueRef::Str(_) => None,
    }
}

/// `z.string().email().min(5)`. An address the email rule accepts is ASCII, so its UTF-16
/// length is its length in bytes, and a shorter string needs no other check.
fn is_valid_tag_email(s: &str) -> bool {
    s.len() >= EMAIL_MIN_LEN && is_valid_email(s)
}

/// A key's lowercase for normalising and comparing keys: ASCII letters only. Valid keys are
/// ASCII, so for them this is JavaScript's `toLowerCase`; a non-ASCII key is already invalid
/// and keeps its other letters as they are (so `\u{212A}ey`, invalid, does not also duplicate
/// `key`). Nango only lowercases keys it validated, so its answers do not depend on this.
pub(crate) fn lowercase(key: &str) -> String {
    key.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_of_the_normal_key_agree() {
        for key in ["env", "End_User_ID", "a.B/c-D_9", "Z", ""] {
            let mut normal = key.to_owned();
            normalise_valid_key(&mut normal);
            assert_eq!(
                normal_key_bytes(key).collect::<Vec<u8>>(),
                normal.as_bytes()
            );
            assert_eq!(normal, key.to_lowercase());
        }
    }

    /// Both duplicate paths (a signature scan up to 32 keys, sorting past that) report exactly
    /// the entries that repeat an earlier key after `lowercase`, in order.
    #[test]
    fn duplicates_are_the_entries_repeating_an_earlier_key() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for len in 0..120 {
            let keys: Vec<String> = (0..len)
                .map(|_| {
                    let n = 1 + next(3);
                    (0..n)
                        .map(|_| ['a', 'A', 'b', 'B', 'é'][next(5) as usize])
                        .collect()
                })
                .collect();
            let entries: Vec<(&str, TagValueRef<'_>)> = keys
                .iter()
                .map(|k| (k.as_str(), TagValueRef::Str("v")))
                .collect();
            let mut found = Vec::new();
            check_tag_entries(&entries, |at, code, detail| {
                if code == ErrorCode::TagKeyDuplicate {
                    found.push((at, detail.into_detail()));
                }
            });
            let want: Vec<_> = (0..keys.len())
                .filter(|&i| (0..i).any(|j| keys[j].eq_ignore_ascii_case(&keys[i])))
                .map(|i| (Some(i), Detail::Name(lowercase(&keys[i]))))
                .collect();
            assert_eq!(found, want, "{keys:?}");
        }
    }
}

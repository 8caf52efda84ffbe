//! What the tags rule decides about a key alone ([`KeyFacts`]), and what it reports about a
//! problem beyond its code ([`EntryDetail`], with a duplicate's name unbuilt).
//!
//! Part of the tags rule (`tags.rs` uses these); knows nothing about values, hosts or buffers.
//! A host that sees the same keys call after call (the npm package's `tags` module) keeps each
//! key's facts instead of deciding them on every call.

use super::{END_USER_EMAIL_KEY, RESERVED_KEY, is_valid_key_pattern, lowercase};
use crate::ascii::{FixedName, is_lowercase_of};
use crate::js::js_len;
use crate::limits::TAG_KEY_MAX_LEN;
use crate::prelude::*;
use crate::{Detail, JsonType};

const RESERVED: FixedName = FixedName::new(RESERVED_KEY);
const END_USER_EMAIL: FixedName = FixedName::new(END_USER_EMAIL_KEY);

/// The tags rule's verdicts on a key by itself: whether it matches the key pattern, is too
/// long, is the reserved key or the end-user email key (in any case), and its duplicate
/// signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyFacts {
    flags: u8,
    signature: u32,
}

const PATTERN_OK: u8 = 1;
const TOO_LONG: u8 = 2;
const RESERVED_FLAG: u8 = 4;
const EMAIL_KEY: u8 = 8;

impl KeyFacts {
    /// Decides the facts of `key`.
    pub fn of(key: &str) -> KeyFacts {
        let flag = |on: bool, flag: u8| if on { flag } else { 0 };
        let too_long = key.len() > TAG_KEY_MAX_LEN && js_len(key) > TAG_KEY_MAX_LEN;
        KeyFacts {
            flags: flag(is_valid_key_pattern(key), PATTERN_OK)
                | flag(too_long, TOO_LONG)
                // Comparing ASCII case-insensitively is comparing `lowercase` forms.
                | flag(RESERVED.matches(key), RESERVED_FLAG)
                | flag(END_USER_EMAIL.matches(key), EMAIL_KEY),
            signature: signature(key),
        }
    }

    /// The key matches `^[a-zA-Z][a-zA-Z0-9_\-./]*$`.
    pub fn pattern_ok(self) -> bool {
        self.flags & PATTERN_OK != 0
    }

    /// The key is longer than 64 UTF-16 code units.
    pub fn too_long(self) -> bool {
        self.flags & TOO_LONG != 0
    }

    /// The key lowercases to `constructor`.
    pub fn reserved(self) -> bool {
        self.flags & RESERVED_FLAG != 0
    }

    /// The key lowercases to `end_user_email`.
    pub fn email_key(self) -> bool {
        self.flags & EMAIL_KEY != 0
    }

    /// Equal for keys equal after `lowercase` (so unequal signatures mean distinct keys).
    pub fn signature(self) -> u32 {
        self.signature
    }
}

/// The length and the lowercase first and last bytes.
fn signature(key: &str) -> u32 {
    let bytes = key.as_bytes();
    let lower = |b: Option<&u8>| u32::from(b.map_or(0, u8::to_ascii_lowercase));
    (bytes.len() as u32) << 16 | lower(bytes.first()) << 8 | lower(bytes.last())
}

/// A problem's detail as `check_tag_entries` reports it: [`Detail`]'s variants, with a
/// duplicate's name not built until [`EntryDetail::into_detail`] asks for it (a host that keeps
/// names by number allocates nothing for a name it has seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryDetail<'a> {
    /// [`Detail::None`].
    None,
    /// [`Detail::Received`].
    Received(JsonType),
    /// [`Detail::Limit`].
    Limit(usize),
    /// [`Detail::Name`]: the name of a duplicate key.
    Name(DuplicateName<'a>),
}

impl EntryDetail<'_> {
    /// The [`Detail`] of the issue.
    pub fn into_detail(self) -> Detail {
        match self {
            EntryDetail::None => Detail::None,
            EntryDetail::Received(received) => Detail::Received(received),
            EntryDetail::Limit(limit) => Detail::Limit(limit),
            EntryDetail::Name(name) => Detail::Name(name.to_name()),
        }
    }
}

/// The name a `tag_key_duplicate` issue gives, before it is built: the `lowercase` of the
/// repeated key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuplicateName<'a>(pub(super) &'a str);

impl DuplicateName<'_> {
    /// The name.
    pub fn to_name(self) -> String {
        lowercase(self.0)
    }

    /// Whether the name is `name`, without building it.
    pub fn is(self, name: &str) -> bool {
        is_lowercase_of(name.as_bytes(), self.0.as_bytes())
    }
}

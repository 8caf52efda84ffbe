//! The fast path behind the package's `validateTags` (`npm/fast.js`): the tags cross into wasm
//! as bytes in one buffer allocated once, and a status number plus a few words come back. No
//! JavaScript value crosses and nothing is allocated unless a key is a duplicate. Not a public
//! export of the package.
//!
//! Glue only: every verdict is connkit-core's (`tags::check_tag_entries`, `normalise_valid_key`,
//! `Issue::message`). Knows nothing about forms, sessions or metadata.
//!
//! # Protocol
//!
//! `tagsBuffer()` gives the buffer's address (4-aligned); offsets below are from there, words
//! are little-endian `u32`.
//!
//! | bytes | what |
//! | --- | --- |
//! | `0 .. HEAD` | the answer (below) |
//! | `HEAD .. DATA` | two words per entry: the key's UTF-8 byte length; the value's, or `NOT_STRING \| kind` (kind 1 number, 2 boolean, 3 null) |
//! | `DATA .. SIZE` | each key's UTF-8 bytes, then its value's, entry after entry |
//!
//! `tagsCheck(n)` reads `n` entries (in JavaScript's own-key order) and answers:
//! - `VALID` (0): valid and already normal;
//! - `LOWERCASED` (1): valid; the keys that change were rewritten in place in `DATA`, word 0 is a
//!   bitmask of them;
//! - `INVALID` (2): word 0 is the number of issues, then `RECORD` words each: code (its index in
//!   `ErrorCode::ALL`), severity (0 error, 1 warning), the entry the path names (`NO_ENTRY`: the
//!   tags object itself), and the detail: kind, a, b (0 none; 1 received type a; 2 limit a;
//!   3 name number a of the module's name table, whose generation is b). Equal code and detail
//!   mean equal message: `tagsMessage(i)` writes issue `i`'s message at `DATA` and gives its
//!   byte length;
//! - `UNDECIDED` (3): not representable here: the caller uses the full `validateTags`.

use std::cell::RefCell;

use connkit_core::tags::{TagValueRef, check_tag_entries, normalise_valid_key};
use connkit_core::{Detail, ErrorCode, Issue, JsonType, Severity};
use wasm_bindgen::prelude::*;

const VALID: u32 = 0;
const LOWERCASED: u32 = 1;
const INVALID: u32 = 2;
const UNDECIDED: u32 = 3;

/// Most entries the buffer takes (more than 10 is invalid anyway; the full path reports it).
const MAX_ENTRIES: usize = 16;
/// Words per issue record.
const RECORD: usize = 6;
/// Most issues an answer holds (at most six per entry, and the count).
const MAX_ISSUES: usize = 6 * MAX_ENTRIES + 1;
/// Where the entry descriptors start.
const HEAD: usize = 4 * (1 + RECORD * MAX_ISSUES);
/// Where the text starts.
const DATA: usize = HEAD + 8 * MAX_ENTRIES;
/// Most names the name table holds before it starts a new generation.
const MAX_NAMES: usize = 256;
/// The whole buffer.
const SIZE: usize = 64 * 1024;
/// Marks a value descriptor of a non-string value.
const NOT_STRING: u32 = 0x8000_0000;
/// The entry index of a path that names the tags object itself.
const NO_ENTRY: u32 = u32::MAX;
/// The types a record names, by index.
const TYPES: [JsonType; 9] = [
    JsonType::Undefined,
    JsonType::Null,
    JsonType::Boolean,
    JsonType::Number,
    JsonType::String,
    JsonType::Array,
    JsonType::Object,
    JsonType::Record,
    JsonType::Other,
];

struct Buffer {
    bytes: Vec<u8>,
    /// Offset of the 4-aligned start in `bytes`.
    start: usize,
    /// Names issues referred to (so that the caller can keep their messages by number).
    names: Names,
}

#[derive(Default)]
struct Names {
    table: Vec<String>,
    generation: u32,
}

impl Names {
    /// The number of `name` in the table (which starts over when full).
    fn number(&mut self, name: &str) -> u32 {
        if let Some(i) = self.table.iter().position(|n| n == name) {
            return i as u32;
        }
        if self.table.len() == MAX_NAMES {
            self.table.clear();
            self.generation = self.generation.wrapping_add(1);
        }
        self.table.push(name.to_owned());
        (self.table.len() - 1) as u32
    }
}

thread_local! {
    static BUFFER: RefCell<Buffer> = RefCell::new(Buffer::new());
}

/// The buffer's address (the package's `fast.js` writes tags there).
#[wasm_bindgen(js_name = tagsBuffer)]
pub fn tags_buffer() -> u32 {
    BUFFER.with_borrow(|b| (b.bytes.as_ptr() as usize + b.start) as u32)
}

/// Validates the `n` entries in the buffer; see the module documentation for the answers.
#[wasm_bindgen(js_name = tagsCheck)]
pub fn tags_check(n: u32) -> u32 {
    BUFFER.with_borrow_mut(|b| {
        let (region, names) = b.parts();
        check(region, names, n as usize).unwrap_or(UNDECIDED)
    })
}

/// Writes the message of issue `i` of the last `INVALID` answer at `DATA`; its byte length.
#[wasm_bindgen(js_name = tagsMessage)]
pub fn tags_message(i: u32) -> u32 {
    BUFFER.with_borrow_mut(|b| {
        let (region, names) = b.parts();
        let Some(message) = record_issue(region, names, i as usize).map(|it| it.message()) else {
            return 0;
        };
        let text = message.as_bytes();
        let len = text.len().min(SIZE - DATA);
        region[DATA..DATA + len].copy_from_slice(&text[..len]);
        len as u32
    })
}

impl Buffer {
    fn new() -> Buffer {
        let bytes = vec![0; SIZE + 3];
        let start = (4 - bytes.as_ptr() as usize % 4) % 4;
        Buffer {
            bytes,
            start,
            names: Names::default(),
        }
    }

    fn parts(&mut self) -> (&mut [u8], &mut Names) {
        (
            &mut self.bytes[self.start..self.start + SIZE],
            &mut self.names,
        )
    }
}

fn word(bytes: &[u8], index: usize) -> Option<u32> {
    let at = 4 * index;
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn set_word(bytes: &mut [u8], index: usize, value: u32) {
    bytes[4 * index..4 * index + 4].copy_from_slice(&value.to_le_bytes());
}

fn check(region: &mut [u8], names: &mut Names, n: usize) -> Option<u32> {
    if n > MAX_ENTRIES {
        return None;
    }
    let (out, data) = region.split_at_mut(DATA);
    // The entries' places in `data`, from the descriptors.
    let mut keys = [(0usize, 0usize); MAX_ENTRIES];
    let mut entries = [("", TagValueRef::Str("")); MAX_ENTRIES];
    let mut at = 0usize;
    for i in 0..n {
        let key_len = word(out, HEAD / 4 + 2 * i)? as usize;
        keys[i] = (at, key_len);
        let key = text(data, &mut at, key_len)?;
        let value = match word(out, HEAD / 4 + 2 * i + 1)? {
            len if len & NOT_STRING == 0 => TagValueRef::Str(text(data, &mut at, len as usize)?),
            kind => TagValueRef::NotString(
                match kind & !NOT_STRING {
                    1 => JsonType::Number,
                    2 => JsonType::Boolean,
                    3 => JsonType::Null,
                    _ => return None,
                },
                None,
            ),
        };
        entries[i] = (key, value);
    }
    let mut count = 0usize;
    let mut fits = true;
    let valid = check_tag_entries(&entries[..n], |entry, code, detail| {
        let record = 1 + RECORD * count;
        let Some(words) = encode(code, entry, &detail, names) else {
            fits = false;
            return;
        };
        if count < MAX_ISSUES {
            for (j, w) in words.into_iter().enumerate() {
                set_word(out, record + j, w);
            }
            count += 1;
        } else {
            fits = false;
        }
    });
    if !fits {
        return None;
    }
    if !valid {
        set_word(out, 0, count as u32);
        return Some(INVALID);
    }
    let mut changed = 0u32;
    for (i, &(at, len)) in keys[..n].iter().enumerate() {
        let bytes = &mut data[at..at + len];
        if bytes.iter().any(u8::is_ascii_uppercase) {
            normalise_valid_key(std::str::from_utf8_mut(bytes).ok()?);
            changed |= 1 << i;
        }
    }
    if changed == 0 {
        return Some(VALID);
    }
    set_word(out, 0, changed);
    Some(LOWERCASED)
}

/// The next `len` bytes of `data` at `at`, as text.
fn text<'a>(data: &'a [u8], at: &mut usize, len: usize) -> Option<&'a str> {
    let bytes = data.get(*at..at.checked_add(len)?)?;
    *at += len;
    std::str::from_utf8(bytes).ok()
}

/// One issue's record.
fn encode(
    code: ErrorCode,
    entry: Option<usize>,
    detail: &Detail,
    names: &mut Names,
) -> Option<[u32; RECORD]> {
    let severity = match Issue::new(code, Vec::new()).severity() {
        Severity::Error => 0,
        Severity::Warning => 1,
    };
    let (kind, a, b) = match detail {
        Detail::None => (0, 0, 0),
        Detail::Received(t) => (1, type_index(*t)?, 0),
        Detail::Limit(limit) => (2, u32::try_from(*limit).ok()?, 0),
        Detail::Name(name) => (3, names.number(name), names.generation),
        _ => return None,
    };
    let entry = entry.map_or(NO_ENTRY, |i| i as u32);
    Some([code.index() as u32, severity, entry, kind, a, b])
}

fn type_index(t: JsonType) -> Option<u32> {
    TYPES.iter().position(|x| *x == t).map(|i| i as u32)
}

/// Issue `i` of the answer in `region`, path left empty (rebuilt for its message).
fn record_issue(region: &[u8], names: &Names, i: usize) -> Option<Issue> {
    if i >= word(region, 0)? as usize {
        return None;
    }
    let w = |j: usize| word(region, 1 + RECORD * i + j);
    let code = *ErrorCode::ALL.get(w(0)? as usize)?;
    let detail = match (w(3)?, w(4)? as usize, w(5)? as usize) {
        (0, _, _) => Detail::None,
        (1, t, _) => Detail::Received(*TYPES.get(t)?),
        (2, limit, _) => Detail::Limit(limit),
        (3, number, generation) if generation as u32 == names.generation => {
            Detail::Name(names.table.get(number)?.clone())
        }
        _ => return None,
    };
    Some(Issue::new(code, Vec::new()).with_detail(detail))
}

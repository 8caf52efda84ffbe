//! The `tags` module: how the package's `validateTags`, `isEmail` and `errorCodes` (`npm/fast.js`)
//! reach connkit-core. The tags cross into wasm as bytes in one reusable buffer, and a status
//! number plus a few words come back. No JavaScript value crosses (the module imports nothing and
//! its glue converts nothing) and no JavaScript runs during these calls; once the module has seen
//! the keys (and the names of duplicates), a call allocates nothing: the entries' vector is kept
//! between calls, and the text is validated as UTF-8 in one piece. These exports are not the
//! package's: `npm/fast.js` wraps them.
//!
//! Glue only: every verdict is connkit-core's (`tags::check_tag_entries`, `not_object`,
//! `normal_key_bytes`, `Issue::message`, `email::is_valid_email`). Knows nothing about forms,
//! sessions or metadata.
//!
//! The protocol (the buffer's layout, the answers, the records) is described, and its numbers
//! defined, in `protocol.rs`, the one definition `npm/fast.js` gets them from as well.
//!
//! No call here runs JavaScript: `npm/fast.js` explains why that matters.

use connkit_core::email::is_valid_email;
use connkit_core::tags::{
    DuplicateName, EntryDetail, KeyFacts, TagValueRef, check_tag_entries_with, normal_key_bytes,
    not_object,
};
use connkit_core::{Detail, ErrorCode, Issue, Severity};
use wasm_bindgen::prelude::*;

use super::protocol::{
    DESCRIPTOR_BYTES, DETAIL_LIMIT, DETAIL_NAME, DETAIL_NONE, DETAIL_RECEIVED, GREW, HEAD_FIXED,
    HEAD_PER_ENTRY, HEADER_WORDS, INVALID, KEY_ID, LOWERCASED, NO_ENTRY, NOT_OBJECT, NOT_STRING,
    RECORD, RECORDS_PER_ENTRY, SEVERITIES, TYPES, UNDECIDED, VALID,
};
use crate::prelude::*;

/// Most keys the key table holds, and the longest it keeps.
const MAX_KEYS: usize = 1024;
const MAX_KEY_BYTES: usize = 64;
/// Most names the name table holds, and how many of them are searched for a match.
const MAX_NAMES: usize = 256;
const SEARCHED: usize = 64;

/// Where the entry descriptors of `n` entries start.
fn head(n: usize) -> usize {
    HEAD_FIXED + HEAD_PER_ENTRY * n
}

/// Where the text of `n` entries starts.
fn data(n: usize) -> usize {
    head(n) + DESCRIPTOR_BYTES * n
}

struct Buffer {
    bytes: Vec<u8>,
    /// Offset of the 4-aligned start in `bytes`.
    start: usize,
    /// Keys the caller may send by number.
    keys: Table,
    /// Names issues referred to (so that the caller can keep their messages by number).
    names: Table,
    /// The last text answer.
    text: String,
    /// The entries' vector, empty between calls.
    entries: Entries<'static>,
    /// The facts of this call's keys.
    facts: Vec<KeyFacts>,
}

/// Strings kept between calls, by number; starts over with a new generation when full.
struct Table {
    items: Vec<Box<str>>,
    /// For the key table, each key's facts (the tags rule's verdicts on the key alone).
    facts: Vec<KeyFacts>,
    generation: u32,
}

impl Table {
    const EMPTY: Table = Table {
        items: Vec::new(),
        facts: Vec::new(),
        generation: 0,
    };

    fn get(&self, number: u32) -> Option<&str> {
        self.items.get(number as usize).map(|s| &**s)
    }

    /// Starts over if `more` items would not fit in `max`.
    fn make_room(&mut self, more: usize, max: usize) {
        if self.items.len() + more > max {
            self.items.clear();
            self.facts.clear();
            self.generation = self.generation.wrapping_add(1);
        }
    }

    fn push(&mut self, item: &str) -> u32 {
        self.items.push(item.into());
        (self.items.len() - 1) as u32
    }

    /// Keeps a key with its facts; its number.
    fn push_key(&mut self, key: &str, facts: KeyFacts) -> u32 {
        self.facts.push(facts);
        self.push(key)
    }

    /// Key `number` and its facts.
    fn key(&self, number: u32) -> Option<(&str, KeyFacts)> {
        Some((self.get(number)?, *self.facts.get(number as usize)?))
    }

    /// The number of a duplicate's name if it is among the first `SEARCHED` items, else a new
    /// number (so a large answer stays linear; the usual few names are always found). The name
    /// is built only when it is new.
    fn number(&mut self, name: DuplicateName<'_>) -> u32 {
        match self.items.iter().take(SEARCHED).position(|s| name.is(s)) {
            Some(i) => i as u32,
            None => self.push(&name.to_name()),
        }
    }
}

/// The buffer, behind a spin lock rather than in a thread-local (the module links no std). A
/// constant initial value: no lazy initialisation code in the module.
static BUFFER: spin::Mutex<Buffer> = spin::Mutex::new(Buffer {
    bytes: Vec::new(),
    start: 0,
    keys: Table::EMPTY,
    names: Table::EMPTY,
    text: String::new(),
    entries: Vec::new(),
    facts: Vec::new(),
});

/// Runs `f` on the buffer. `None` only if it were locked already, which cannot happen: no call
/// here runs JavaScript, so none can start while another runs. (No panic path: the module links
/// less of Rust's panic formatting.)
fn with_buffer<R>(f: impl FnOnce(&mut Buffer) -> Option<R>) -> Option<R> {
    f(&mut *BUFFER.try_lock()?)
}

/// Makes the buffer at least `size` bytes; its address.
#[wasm_bindgen(js_name = tagsReserve)]
pub fn tags_reserve(size: u32) -> u32 {
    with_buffer(|b| {
        let size = size as usize;
        if b.bytes.len() < b.start + size {
            b.bytes = vec![0; size + 3];
            b.start = (4 - b.bytes.as_ptr() as usize % 4) % 4;
        }
        Some((b.bytes.as_ptr() as usize + b.start) as u32)
    })
    .unwrap_or(0)
}

/// Validates the entries in the buffer; see the module documentation for the argument and the
/// answers.
#[wasm_bindgen(js_name = tagsCheck)]
pub fn tags_check(n: u32) -> u32 {
    let pages = memory_pages();
    let status = with_buffer(|b| {
        let region = b.bytes.get_mut(b.start..)?;
        if n & NOT_OBJECT != 0 {
            let kind = TYPES.get((n & !NOT_OBJECT) as usize)?;
            fail(region, not_object(*kind).issues(), &mut b.names)
        } else {
            check(
                region,
                &mut b.keys,
                &mut b.names,
                &mut b.entries,
                &mut b.facts,
                n as usize,
            )
        }
    })
    .unwrap_or(UNDECIDED);
    if memory_pages() == pages {
        status
    } else {
        status | GREW
    }
}

/// The module's memory size in pages (0 off wasm, where nothing detaches).
fn memory_pages() -> usize {
    #[cfg(target_arch = "wasm32")]
    return core::arch::wasm32::memory_size(0);
    #[cfg(not(target_arch = "wasm32"))]
    0
}

/// Puts the message of issue `i` of the last `INVALID` answer (rebuilt from its record) in the
/// text area; its length.
#[wasm_bindgen(js_name = tagsMessage)]
pub fn tags_message(i: u32) -> u32 {
    with_buffer(|b| {
        let issue = record_issue(b.bytes.get(b.start..)?, &b.names, i as usize);
        b.text = issue.map(|it| it.message()).unwrap_or_default();
        Some(b.text.len() as u32)
    })
    .unwrap_or(0)
}

/// Puts every error code's name, in declaration order and separated by spaces, in the text area;
/// its length.
#[wasm_bindgen(js_name = tagsCodes)]
pub fn tags_codes() -> u32 {
    with_buffer(|b| {
        b.text.clear();
        for (i, code) in ErrorCode::ALL.iter().enumerate() {
            if i > 0 {
                b.text.push(' ');
            }
            b.text.push_str(code.as_str());
        }
        Some(b.text.len() as u32)
    })
    .unwrap_or(0)
}

/// The address of the text area.
#[wasm_bindgen(js_name = tagsText)]
pub fn tags_text() -> u32 {
    with_buffer(|b| Some(b.text.as_ptr() as usize as u32)).unwrap_or(0)
}

/// zod 4.0.5's `z.string().email()` verdict on the `len` bytes of UTF-8 at the buffer's start
/// (`isEmail`, what Nango checks `end_user.email` with).
#[wasm_bindgen(js_name = tagsEmail)]
pub fn tags_email(len: u32) -> bool {
    with_buffer(|b| {
        let bytes = b.bytes.get(b.start..)?.get(..len as usize)?;
        Some(is_valid_email(core::str::from_utf8(bytes).ok()?))
    })
    .unwrap_or(false)
}

fn word(bytes: &[u8], index: usize) -> Option<u32> {
    let at = 4 * index;
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn set_word(bytes: &mut [u8], index: usize, value: u32) -> Option<()> {
    bytes
        .get_mut(4 * index..4 * index + 4)?
        .copy_from_slice(&value.to_le_bytes());
    Some(())
}

fn check(
    region: &mut [u8],
    keys: &mut Table,
    names: &mut Table,
    store: &mut Entries<'static>,
    facts: &mut Vec<KeyFacts>,
    n: usize,
) -> Option<u32> {
    if region.len() < data(n) {
        return None;
    }
    let (out, text_bytes) = region.split_at_mut(data(n));
    let head = head(n) / 4;
    // The text of every entry, validated as UTF-8 at once (each piece then starts and ends at a
    // character boundary, which `str::get` checks), and how many keys came as text to be kept.
    let mut end = 0usize;
    let mut to_keep = 0;
    for i in 0..2 * n {
        let descriptor = word(out, head + i)?;
        if descriptor & (KEY_ID | NOT_STRING) == 0 {
            end = end.checked_add(descriptor as usize)?;
            to_keep += usize::from(i % 2 == 0 && descriptor as usize <= MAX_KEY_BYTES);
        }
    }
    let text_all = core::str::from_utf8(text_bytes.get(..end)?).ok()?;
    let mut entries = reuse(core::mem::take(store));
    facts.clear();
    let mut at = 0usize;
    for i in 0..n {
        let (key, key_facts) = match word(out, head + 2 * i)? {
            number if number & KEY_ID != 0 => keys.key(number & !KEY_ID)?,
            len => {
                let key = text(text_all, &mut at, len as usize)?;
                (key, KeyFacts::of(key))
            }
        };
        facts.push(key_facts);
        let value = match word(out, head + 2 * i + 1)? {
            len if len & NOT_STRING == 0 => {
                TagValueRef::Str(text(text_all, &mut at, len as usize)?)
            }
            kind => TagValueRef::NotString(*TYPES.get((kind & !NOT_STRING) as usize)?, None),
        };
        entries.push((key, value));
    }
    let status = answer(out, &entries, facts, names);
    *store = reuse(entries);
    let status = status?;
    if to_keep > 0 {
        // Keep the keys sent as text, and tell the caller their numbers.
        keys.make_room(to_keep, MAX_KEYS);
        let mut at = 0usize;
        for i in 0..n {
            let key = word(out, head + 2 * i)?;
            if key & KEY_ID == 0 {
                let len = key as usize;
                let text = text_all.get(at..at.checked_add(len)?)?;
                at += len;
                if len <= MAX_KEY_BYTES {
                    let number = keys.push_key(text, *facts.get(i)?);
                    set_word(out, head + 2 * i, KEY_ID | number)?;
                }
            }
            let value = word(out, head + 2 * i + 1)?;
            if value & NOT_STRING == 0 {
                at = at.checked_add(value as usize)?;
            }
        }
    }
    set_word(out, 1, keys.generation)?;
    Some(status)
}

/// The entries of a call: they borrow the buffer, so between calls the vector is kept empty
/// (with its allocation) under another lifetime.
type Entries<'a> = Vec<(&'a str, TagValueRef<'a>)>;

/// `entries` emptied, under any lifetime, with its allocation (collecting a vector's own
/// iterator into a vector of the same layout reuses it).
fn reuse<'b>(mut entries: Entries<'_>) -> Entries<'b> {
    entries.clear();
    entries
        .into_iter()
        .map(|_| ("", TagValueRef::Str("")))
        .collect()
}

/// Runs the rule over `entries` and writes the answer into `out`.
fn answer(
    out: &mut [u8],
    entries: &[(&str, TagValueRef<'_>)],
    facts: &[KeyFacts],
    names: &mut Table,
) -> Option<u32> {
    // Room for a name per entry, so no record of this answer outlives its generation.
    names.make_room(entries.len(), MAX_NAMES.max(entries.len()));
    // The records follow the header, at most `RECORDS_PER_ENTRY * n + 1` of them (every issue
    // the rule can report about the entries and the object).
    let (_, records) = out.split_at_mut_checked(4 * HEADER_WORDS)?;
    let mut slots = records
        .chunks_exact_mut(4 * RECORD)
        .take(RECORDS_PER_ENTRY * entries.len() + 1);
    let mut count = 0usize;
    let mut fits = true;
    let facts_of = |i: usize| match facts.get(i) {
        Some(known) => *known,
        None => KeyFacts::of(entries.get(i).map_or("", |e| e.0)),
    };
    let valid = check_tag_entries_with(entries, facts_of, |entry, code, detail| {
        // The rule's issues are errors (`validate_tag_entries` makes each with `Issue::new`).
        let (Some(slot), Some(words)) = (
            slots.next(),
            record(code, Severity::Error, entry, detail, names),
        ) else {
            fits = false;
            return;
        };
        for (to, word) in slot.chunks_exact_mut(4).zip(words) {
            to.copy_from_slice(&word.to_le_bytes());
        }
        count += 1;
    });
    if !fits {
        return None;
    }
    if !valid {
        set_word(out, 0, count as u32)?;
        return Some(INVALID);
    }
    let mut changed = 0u32;
    let mut cursor = 4 * HEADER_WORDS;
    for (i, (key, _)) in entries.iter().enumerate() {
        if key.bytes().any(|b| b.is_ascii_uppercase()) {
            let normal = out.get_mut(cursor..cursor + key.len())?;
            for (to, byte) in normal.iter_mut().zip(normal_key_bytes(key)) {
                *to = byte;
            }
            cursor += key.len();
            changed |= 1 << i;
        }
    }
    set_word(out, 0, changed)?;
    Some(if changed == 0 { VALID } else { LOWERCASED })
}

/// The answer for issues that are not about any entry (a value that is not an object).
fn fail(out: &mut [u8], issues: &[Issue], names: &mut Table) -> Option<u32> {
    for (i, it) in issues.iter().enumerate() {
        let detail = match it.detail() {
            Detail::None => EntryDetail::None,
            Detail::Received(t) => EntryDetail::Received(*t),
            _ => return None,
        };
        let words = record(it.code(), it.severity(), None, detail, names)?;
        for (j, w) in words.into_iter().enumerate() {
            set_word(out, HEADER_WORDS + RECORD * i + j, w)?;
        }
    }
    set_word(out, 0, issues.len() as u32)?;
    Some(INVALID)
}

/// The next `len` bytes of `text` at `at`.
fn text<'a>(text: &'a str, at: &mut usize, len: usize) -> Option<&'a str> {
    let piece = text.get(*at..at.checked_add(len)?)?;
    *at += len;
    Some(piece)
}

/// One issue's record.
#[inline(always)]
fn record(
    code: ErrorCode,
    severity: Severity,
    entry: Option<usize>,
    detail: EntryDetail<'_>,
    names: &mut Table,
) -> Option<[u32; RECORD]> {
    let (kind, a, b) = match detail {
        EntryDetail::None => (DETAIL_NONE, 0, 0),
        EntryDetail::Received(t) => (
            DETAIL_RECEIVED,
            TYPES.iter().position(|x| *x == t)? as u32,
            0,
        ),
        EntryDetail::Limit(limit) => (DETAIL_LIMIT, u32::try_from(limit).ok()?, 0),
        EntryDetail::Name(name) => (DETAIL_NAME, names.number(name), names.generation),
    };
    let severity = SEVERITIES.iter().position(|s| *s == severity)? as u32;
    let entry = entry.map_or(NO_ENTRY, |i| i as u32);
    Some([code.index() as u32, severity, entry, kind, a, b])
}

/// Issue `i` of the answer in `region`, path left empty (rebuilt for its message).
fn record_issue(region: &[u8], names: &Table, i: usize) -> Option<Issue> {
    if i >= word(region, 0)? as usize {
        return None;
    }
    let w = |j: usize| word(region, HEADER_WORDS + RECORD * i + j);
    let code = *ErrorCode::ALL.get(w(0)? as usize)?;
    let detail = match (w(3)?, w(4)?, w(5)?) {
        (DETAIL_NONE, _, _) => Detail::None,
        (DETAIL_RECEIVED, t, _) => Detail::Received(*TYPES.get(t as usize)?),
        (DETAIL_LIMIT, limit, _) => Detail::Limit(limit as usize),
        (DETAIL_NAME, number, generation) if generation == names.generation => {
            Detail::Name(names.get(number)?.to_owned())
        }
        _ => return None,
    };
    Some(Issue::new(code, Vec::new()).with_detail(detail))
}

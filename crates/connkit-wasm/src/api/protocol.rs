//! The tags-buffer protocol: the numbers `tags_buffer.rs` and the package's `npm/fast.js` agree
//! on, defined once. `tags_buffer.rs` uses these constants; `cargo xtask codegen` compiles this
//! same file (through `#[path]`) and writes them into `npm/protocol.js`, which `fast.js` imports.
//!
//! Plain constants and their documentation only: no wasm-bindgen and nothing else of this crate
//! (xtask compiles the file on its own), only connkit-core's `JsonType` and `Severity`.
//!
//! # Protocol
//!
//! `tagsReserve(bytes)` makes the buffer at least that big and gives its address (4-aligned;
//! it moves when it grows). Offsets below are from there, words are little-endian `u32`. For
//! `n` entries, `head(n) = HEAD_FIXED + HEAD_PER_ENTRY * n` and
//! `data(n) = head(n) + DESCRIPTOR_BYTES * n`:
//!
//! | bytes | what |
//! | --- | --- |
//! | `0 .. head(n)` | the answer: `HEADER_WORDS` words (word 0 below, word 1 the key table's generation), then the records |
//! | `head(n) .. data(n)` | two words per entry: the key (`KEY_ID \| number` in the key table, or its UTF-8 byte length); the value's byte length, or `NOT_STRING \| kind` |
//! | `data(n) ..` | the UTF-8 bytes of each key sent as text, then its value's, entry after entry |
//!
//! Kinds of values that are not strings (JavaScript's view, as the `filter` module's reader of
//! tags objects sees them) are indexes of [`TYPES`]; a value whose getter threw is
//! `JsonType::Other`.
//!
//! The key table: keys sent as text (up to `tags_buffer.rs`'s `MAX_KEY_BYTES`) are kept, and
//! their descriptor is rewritten to `KEY_ID | number` so the caller can send the number next
//! time. When the table is full it starts over with a new generation, and every number the
//! caller kept is void.
//!
//! `tagsCheck(n)` reads `n` entries (in JavaScript's own-key order); `tagsCheck(NOT_OBJECT |
//! kind)` says the value is not a plain object. The answers are [`VALID`], [`LOWERCASED`],
//! [`INVALID`] and [`UNDECIDED`], with [`GREW`] added when the module's memory grew during the
//! call, which detaches the caller's views of it (the check and the names allocate). An
//! `INVALID` answer's records are `RECORD` words each: code (its index in `ErrorCode::ALL`),
//! severity (its index in [`SEVERITIES`]), the entry the path names (`NO_ENTRY`: the tags object
//! itself), and the detail: kind (`DETAIL_*`), a, b. Equal code and detail mean equal message:
//! `tagsMessage(i)` gives issue `i`'s message (until the next `tagsCheck`).
//!
//! Text answers (`tagsMessage`, `tagsCodes`) go to a second area, whose address `tagsText()`
//! gives after the call (it moves when it grows); the call returns the length in bytes.
//! `tagsEmail(len)` reads a string of `len` bytes at the buffer's start.

use connkit_core::{JsonType, Severity};

/// Defines each constant, and [`CONSTANTS`] listing them all for code generation.
macro_rules! protocol {
    ($( $(#[doc = $doc:literal])+ $name:ident: $ty:ty = $value:expr; )*) => {
        $( $(#[doc = $doc])+ pub const $name: $ty = $value; )*

        /// Every constant above as `(name, value, documentation)`, in order (for
        /// `cargo xtask codegen`).
        pub const CONSTANTS: &[(&str, u64, &str)] = &[
            $( (stringify!($name), $name as u64, concat!($($doc, "\n"),+)), )*
        ];
    };
}

protocol! {
    /// `tagsCheck`: the tags are valid and already normal.
    VALID: u32 = 0;
    /// `tagsCheck`: the tags are valid; word 0 is a bitmask of the keys that change, and their
    /// normal forms follow from byte `4 * HEADER_WORDS`, one after the other (each as long as the
    /// key).
    LOWERCASED: u32 = 1;
    /// `tagsCheck`: the tags are invalid; word 0 is the number of issues, whose records follow
    /// the header.
    INVALID: u32 = 2;
    /// `tagsCheck`: the buffer did not hold what the protocol says (a caller bug).
    UNDECIDED: u32 = 3;
    /// Added to a `tagsCheck` answer when the module's memory grew during the call.
    GREW: u32 = 0x100;
    /// Marks a `tagsCheck` argument that says the value is not a plain object (the rest is its
    /// kind).
    NOT_OBJECT: u32 = 0x8000_0000;
    /// Words of the answer before the records: the answer's word 0 and the key table's
    /// generation.
    HEADER_WORDS: usize = 2;
    /// Words per issue record.
    RECORD: usize = 6;
    /// The most records one entry can add to an answer (one more is about the object itself).
    RECORDS_PER_ENTRY: usize = 6;
    /// `head(n)`, where the entry descriptors start, is `HEAD_FIXED + HEAD_PER_ENTRY * n` bytes.
    HEAD_FIXED: usize = 4 * (HEADER_WORDS + RECORD);
    /// See `HEAD_FIXED`.
    HEAD_PER_ENTRY: usize = 4 * RECORD * RECORDS_PER_ENTRY;
    /// Bytes of descriptors per entry (a key word and a value word).
    DESCRIPTOR_BYTES: usize = 8;
    /// Marks a key descriptor that is a number in the key table.
    KEY_ID: u32 = 0x8000_0000;
    /// Marks a value descriptor of a non-string value (the rest is its kind).
    NOT_STRING: u32 = 0x8000_0000;
    /// The entry of a record whose path names the tags object itself.
    NO_ENTRY: u32 = u32::MAX;
    /// A record's detail kind: no detail.
    DETAIL_NONE: u32 = 0;
    /// A record's detail kind: the type received, `a` its kind.
    DETAIL_RECEIVED: u32 = 1;
    /// A record's detail kind: a limit, `a` its value.
    DETAIL_LIMIT: u32 = 2;
    /// A record's detail kind: a name, `a` its number in the name table of generation `b`.
    DETAIL_NAME: u32 = 3;
}

/// The kinds of values a record or a value descriptor names, by index.
pub const TYPES: [JsonType; 9] = [
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

/// The severities a record names, by index.
pub const SEVERITIES: [Severity; 2] = [Severity::Error, Severity::Warning];

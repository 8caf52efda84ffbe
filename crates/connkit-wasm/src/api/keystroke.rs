//! The keystroke path of `validateConnectionConfig`: the values a form page holds (objects of
//! strings) checked against a form `buildForm` returned with the fewest crossings. `js/forms.js`
//! reads the values in JavaScript and writes them, laid out as below, into a buffer of the
//! module's memory kept between calls (no allocation, no string passing); core's
//! [`check_submitted`] checks them borrowed from that buffer (no `Value`, no `Submission`) against
//! the form's rules the module keeps decoded (`api/kept_form.rs`); patterns run on the form's
//! RegExps, compiled once per form, asked by number; a valid answer is built in JavaScript from
//! the strings it read, and only issues cross back one by one. Anything else (another value
//! shape, lone surrogates, a proxy that throws, values that may not fit the buffer) takes the JSON
//! path, which gives the same results.
//!
//! The layout (a word is a little-endian u32; a string is its UTF-8 length as a word, then its
//! bytes):
//!
//! | part | meaning |
//! | --- | --- |
//! | word | the form's number |
//! | word n | the submission's top-level keys; `NONE`: read the values as JSON |
//! | n × (string, word m, …) | a key, then `NONE` and a string, or m pairs of strings (an object) |
//!
//! The pairs are numbered in order; that number names a value to `testKept` (-1 for the empty
//! string), and `keptOk` builds the value from pairs listed by number.
//!
//! Knows nothing about the rules: core decides every verdict.

use alloc::sync::Arc;
use connkit_core::JsonType;

use connkit_core::field::{SubmittedObject, SubmittedRef, SubmittedValues, check_submitted};
use connkit_core::form::{FieldGroup, FieldRule, FormField};
use connkit_core::pattern::{PatternMatcher, PatternUnusable};
use wasm_bindgen::JsValue;

use super::kept_form;
use crate::js;
use crate::prelude::*;
use crate::regexp::JsRegExp;
use crate::write::issues;

type Pairs<'a> = Vec<(&'a str, SubmittedRef<'a>)>;

/// What a keystroke on `view` comes to.
pub(crate) enum Keystroke {
    /// The export's result.
    Answer(JsValue),
    /// `view` is a form object with these rules, but the values are to be read as JSON.
    Json(Arc<Vec<FormField>>),
    /// `view` is no form object.
    NotKept,
}

/// Where JavaScript writes a keystroke's values, kept between calls. A call made while it is in
/// use (from a getter run while the values are read) writes into a vector of its own.
static BUFFER: spin::Mutex<Vec<u8>> = spin::Mutex::new(Vec::new());

/// The buffer's size. Values that may need more (at 3 bytes per UTF-16 unit) take the JSON path.
const ROOM: usize = 1 << 16;

/// The answer for a keystroke on a form object, if its values are objects of strings.
pub(crate) fn check(view: &JsValue, values: &JsValue, options: &JsValue) -> Keystroke {
    let mut held = BUFFER.try_lock();
    let mut own = Vec::new();
    let bytes = held.as_deref_mut().unwrap_or(&mut own);
    if bytes.is_empty() {
        bytes.resize(ROOM, 0);
    }
    let written = js::read_keystroke(
        view,
        values,
        options,
        bytes.as_mut_ptr() as u32,
        bytes.len() as u32,
    );
    let Some(mut layout) = usize::try_from(written)
        .ok()
        .and_then(|n| bytes.get(..n))
        .map(|bytes| Layout { bytes })
    else {
        return Keystroke::NotKept;
    };
    let Some(fields) = layout
        .word()
        .and_then(|id| kept_form::fields(id.into(), view))
    else {
        return Keystroke::NotKept;
    };
    match answer(&fields, layout) {
        Some(answer) => Keystroke::Answer(answer),
        None => Keystroke::Json(fields),
    }
}

/// The word that stands for no count (`js/forms.js` has it too).
const NONE: u32 = u32::MAX;

/// Reads the layout of the module documentation.
struct Layout<'a> {
    bytes: &'a [u8],
}

impl<'a> Layout<'a> {
    fn word(&mut self) -> Option<u32> {
        let (word, rest) = self.bytes.split_first_chunk()?;
        self.bytes = rest;
        Some(u32::from_le_bytes(*word))
    }

    fn text(&mut self) -> Option<&'a str> {
        let len = self.word()? as usize;
        let (text, rest) = self.bytes.split_at_checked(len)?;
        self.bytes = rest;
        core::str::from_utf8(text).ok()
    }
}

/// The answer for the submission `layout` holds (`None` if it holds none).
fn answer(fields: &[FormField], mut layout: Layout<'_>) -> Option<JsValue> {
    let mut pairs = Vec::new();
    // Each top-level value: the range of its pairs, or `None` for a string.
    let mut top = Vec::new();
    let n = layout.word()?;
    if n == NONE {
        return None;
    }
    for _ in 0..n {
        let key = layout.text()?;
        let range = match layout.word()? {
            NONE => layout.text().map(|_| None)?,
            m => Some(read_pairs(&mut layout, m, &mut pairs)?),
        };
        top.push((key, range));
    }
    if !layout.bytes.is_empty() {
        return None;
    }
    let object = |range: &Option<(usize, usize)>| match range {
        Some((start, end)) => SubmittedObject::Object(pairs.get(*start..*end).unwrap_or_default()),
        None => SubmittedObject::Other(JsonType::String),
    };
    let submitted: Vec<_> = top
        .iter()
        .map(|(key, range)| (*key, object(range)))
        .collect();
    // The number of a group's first pair.
    let start = |group: FieldGroup| {
        top.iter()
            .find_map(|(key, range)| match range {
                Some((start, _)) if *key == group.as_str() => Some(*start),
                _ => None,
            })
            .unwrap_or_default()
    };
    let matcher = KeptRegExp {
        fields,
        pairs: &pairs,
    };
    let mut order: Vec<u32> = Vec::new();
    let values = SubmittedValues::Submission(Ok(&submitted));
    let checked = check_submitted(fields, values, &matcher, &mut |group, i, _, _| {
        order.push((start(group) + i) as u32);
    });
    Some(match checked {
        Ok(warnings) => {
            let warnings = match warnings.is_empty() {
                true => JsValue::UNDEFINED,
                false => issues(&warnings),
            };
            js::kept_ok(order.as_ptr() as u32, order.len() as u32, warnings)
        }
        Err(err) => js::fail(issues(err.issues())),
    })
}

/// Reads `m` pairs of strings into `pairs`; their range there.
fn read_pairs<'a>(
    layout: &mut Layout<'a>,
    m: u32,
    pairs: &mut Pairs<'a>,
) -> Option<(usize, usize)> {
    let start = pairs.len();
    for _ in 0..m {
        pairs.push((layout.text()?, SubmittedRef::Str(layout.text()?)));
    }
    Some((start, pairs.len()))
}

/// The form's patterns as `js/forms.js` keeps them compiled: pattern `k` is the k-th pattern of
/// the form's fields, and a value is named by its pair's number.
struct KeptRegExp<'a> {
    fields: &'a [FormField],
    pairs: &'a [(&'a str, SubmittedRef<'a>)],
}

impl PatternMatcher for KeptRegExp<'_> {
    fn test(&self, pattern: &str, input: &str) -> Result<bool, PatternUnusable> {
        let k = self
            .fields
            .iter()
            .filter_map(|field| match &field.rule {
                FieldRule::Text {
                    pattern: Some(p), ..
                } => Some(p.as_str()),
                _ => None,
            })
            .position(|p| p == pattern);
        // A value is one of the pairs (the same bytes, not just equal text) or absent.
        let i = if input.is_empty() {
            Some(-1)
        } else {
            self.pairs
                .iter()
                .position(|(_, v)| matches!(v, SubmittedRef::Str(v) if core::ptr::eq(*v, input)))
                .map(|i| i as i32)
        };
        let (Some(k), Some(i)) = (k, i) else {
            return JsRegExp.test(pattern, input);
        };
        let mut verdict = js::test_kept(k as u32, i);
        if verdict == 3 {
            verdict = js::compile_kept(k as u32, pattern, i);
        }
        match verdict {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(PatternUnusable::new(String::new())),
        }
    }
}

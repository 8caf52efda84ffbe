//! The keystroke path of `validateConnectionConfig`: the values a form page holds (objects of
//! strings) checked against a form `buildForm` returned with the fewest crossings. `js/forms.js`
//! reads the values in JavaScript and writes them as one text of UTF-8 into a buffer of the
//! module's memory kept between calls (no allocation, no string passing); core's
//! [`check_submitted`] checks them borrowed from that text (no `Value`, no `Submission`) against
//! the form's rules the module keeps decoded (`api/kept_form.rs`); patterns run on the form's
//! RegExps, compiled once per form, asked by number; a valid answer is built in JavaScript from
//! the strings it read, and only issues cross back one by one. Anything else (another value
//! shape, lone surrogates, a proxy that throws) takes the JSON path, which gives the same results.
//!
//! The text (lengths are decimal, then `:`; a string is its UTF-16 length, `:`, and itself):
//!
//! | part | meaning |
//! | --- | --- |
//! | `<id>:` | the form's number; nothing follows when the values are to be read as JSON |
//! | `<n>:` then n × (key, `s` string or `o` pairs) | a submission's top-level keys |
//! | pairs: `<n>:` then n × (key, value) | an object of strings |
//!
//! The pairs are numbered in text order; that number names a value to `testKept` (-1 for the
//! empty string) and in the order `keptOk` builds the value from.
//!
//! Knows nothing about the rules: core decides every verdict.

use alloc::sync::Arc;
use connkit_core::JsonType;

use connkit_core::field::{SubmittedObject, SubmittedRef, SubmittedValues, check_submitted};
use connkit_core::form::{FieldGroup, FieldRule, FormField};
use connkit_core::pattern::{PatternMatcher, PatternUnusable};
use wasm_bindgen::JsValue;

use super::kept_form::{self, Reader};
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

/// Where JavaScript writes a keystroke's text, kept between calls. A call made while it is in use
/// (from a getter run while the values are read) writes into a vector of its own.
static TEXT: spin::Mutex<Vec<u8>> = spin::Mutex::new(Vec::new());

/// The room a first keystroke gets.
const ROOM: usize = 1024;

/// The answer for a keystroke on a form object, if its values are objects of strings.
pub(crate) fn check(view: &JsValue, values: &JsValue, options: &JsValue) -> Keystroke {
    let mut held = TEXT.try_lock();
    let mut own = Vec::new();
    let bytes = held.as_deref_mut().unwrap_or(&mut own);
    if bytes.is_empty() {
        bytes.resize(ROOM, 0);
    }
    let mut written = js::read_keystroke(
        view,
        values,
        options,
        bytes.as_mut_ptr() as u32,
        bytes.len() as u32,
    );
    if written < -1 {
        bytes.resize((-2 - written) as usize, 0);
        written = js::write_keystroke(bytes.as_mut_ptr() as u32, bytes.len() as u32);
    }
    let Some(text) = usize::try_from(written)
        .ok()
        .and_then(|n| core::str::from_utf8(bytes.get(..n)?).ok())
    else {
        return Keystroke::NotKept;
    };
    let mut reader = Reader { rest: text };
    let Some(fields) = reader
        .number()
        .and_then(|id| kept_form::fields(id as f64, view))
    else {
        return Keystroke::NotKept;
    };
    match answer(&fields, reader) {
        Some(answer) => Keystroke::Answer(answer),
        None => Keystroke::Json(fields),
    }
}

/// The answer for the submission `reader` holds (`None` if it holds none).
fn answer(fields: &[FormField], mut reader: Reader<'_>) -> Option<JsValue> {
    let mut pairs = Vec::new();
    // Each top-level value: the range of its pairs, or `None` for a string.
    let mut top = Vec::new();
    for _ in 0..reader.number()? {
        let key = reader.text_utf16()?;
        let range = match reader.byte()? {
            b's' => reader.text_utf16().map(|_| None)?,
            b'o' => Some(read_pairs(&mut reader, &mut pairs)?),
            _ => return None,
        };
        top.push((key, range));
    }
    if !reader.rest.is_empty() {
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
        Ok(warnings) if warnings.is_empty() => js::kept_ok(&order, JsValue::UNDEFINED),
        Ok(warnings) => js::kept_ok(&order, issues(&warnings)),
        Err(err) => js::kept_fail(issues(err.issues())),
    })
}

/// Reads `<n>:` and n pairs of strings into `pairs`; their range there.
fn read_pairs<'a>(reader: &mut Reader<'a>, pairs: &mut Pairs<'a>) -> Option<(usize, usize)> {
    let start = pairs.len();
    for _ in 0..reader.number()? {
        pairs.push((
            reader.text_utf16()?,
            SubmittedRef::Str(reader.text_utf16()?),
        ));
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

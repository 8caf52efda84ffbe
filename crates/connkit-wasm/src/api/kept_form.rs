//! A built form's rules as one line of text, which `js/forms.js` keeps by the form object
//! `buildForm` returned, so that `validateConnectionConfig` given that object checks values
//! without reading the provider and building the form again. The text is the module's own,
//! written and read only here; the JavaScript side stores it and never looks inside.
//!
//! Per field: the group (`c`, `p`, `a`), the name, then the rule: `*` any string; `=` one of,
//! with its `optional` flag and values; `~` text, with its `optional` and `non_empty` flags, the
//! format's name (empty for none) and the pattern (absent for none). A string is its UTF-8 length
//! in decimal, `:`, and its bytes; a flag is `0` or `1`.
//!
//! The module keeps the decoded rules of the last few forms decoded (`KEPT`), by the number
//! `js/forms.js` gave the form object, so that a keystroke neither copies the text in nor
//! decodes it: the one state the module keeps between calls, bounded (a page shows one form or
//! a few; more only cost a decoding again).
//!
//! Knows nothing about values or how they are checked: `connkit_core::field` does that.

use alloc::sync::Arc;

use connkit_core::catalogue::FieldFormat;
use connkit_core::form::{FieldGroup, FieldRule, FormField};
use connkit_core::js::push_decimal;
use wasm_bindgen::JsValue;

use crate::js;
use crate::prelude::*;

/// How many forms' decoded rules are kept.
const KEPT_FORMS: usize = 4;

/// The decoded rules of the last forms decoded, by form number, the latest first. Behind a spin
/// lock (the crate links no std, so no thread-local) that is only tried: no JavaScript runs while
/// it is held, and a call that finds it held decodes the text instead.
static KEPT: spin::Mutex<Vec<(f64, Arc<Vec<FormField>>)>> = spin::Mutex::new(Vec::new());

/// The rules of the form object `view`, whose number is `id`.
pub(crate) fn fields(id: f64, view: &JsValue) -> Option<Arc<Vec<FormField>>> {
    if let Some(kept) = KEPT.try_lock()
        && let Some((_, fields)) = kept.iter().find(|(n, _)| *n == id)
    {
        return Some(fields.clone());
    }
    let fields = Arc::new(decode(&js::kept_form(view)?)?);
    if let Some(mut kept) = KEPT.try_lock() {
        kept.truncate(KEPT_FORMS - 1);
        kept.insert(0, (id, fields.clone()));
    }
    Some(fields)
}

/// The rules of `fields` as text.
pub(crate) fn encode(fields: &[FormField]) -> String {
    let mut out = String::new();
    for field in fields {
        out.push(match field.group {
            FieldGroup::Credentials => 'c',
            FieldGroup::Params => 'p',
            FieldGroup::AssertionOption => 'a',
        });
        text(&mut out, &field.name);
        match &field.rule {
            FieldRule::AnyString => out.push('*'),
            FieldRule::OneOf { values, optional } => {
                out.push('=');
                flag(&mut out, *optional);
                number(&mut out, values.len());
                for value in values {
                    text(&mut out, value);
                }
            }
            FieldRule::Text {
                optional,
                non_empty,
                format,
                pattern,
            } => {
                out.push('~');
                flag(&mut out, *optional);
                flag(&mut out, *non_empty);
                match format {
                    Some(format) => {
                        out.push('f');
                        text(&mut out, format.as_str());
                    }
                    None => out.push('-'),
                }
                match pattern {
                    Some(pattern) => {
                        out.push('p');
                        text(&mut out, pattern);
                    }
                    None => out.push('-'),
                }
            }
        }
    }
    out
}

/// The fields (as far as checking reads them) `encode` wrote; `None` for any other text.
pub(crate) fn decode(code: &str) -> Option<Vec<FormField>> {
    let mut reader = Reader { rest: code };
    let mut fields = Vec::new();
    while !reader.rest.is_empty() {
        let group = match reader.byte()? {
            b'c' => FieldGroup::Credentials,
            b'p' => FieldGroup::Params,
            b'a' => FieldGroup::AssertionOption,
            _ => return None,
        };
        let name = reader.text()?.to_owned();
        let rule = match reader.byte()? {
            b'*' => FieldRule::AnyString,
            b'=' => {
                let optional = reader.flag()?;
                let count = reader.number()?;
                let mut values = Vec::new();
                for _ in 0..count {
                    values.push(reader.text()?.to_owned());
                }
                FieldRule::OneOf { values, optional }
            }
            b'~' => {
                let optional = reader.flag()?;
                let non_empty = reader.flag()?;
                let format = match reader.byte()? {
                    b'f' => Some(FieldFormat::parse(reader.text()?)),
                    b'-' => None,
                    _ => return None,
                };
                let pattern = match reader.byte()? {
                    b'p' => Some(reader.text()?.to_owned()),
                    b'-' => None,
                    _ => return None,
                };
                FieldRule::Text {
                    optional,
                    non_empty,
                    format,
                    pattern,
                }
            }
            _ => return None,
        };
        fields.push(FormField::for_checking(group, name, rule));
    }
    Some(fields)
}

fn flag(out: &mut String, on: bool) {
    out.push(if on { '1' } else { '0' });
}

fn number(out: &mut String, n: usize) {
    push_decimal(out, n as u64);
    out.push(':');
}

fn text(out: &mut String, text: &str) {
    number(out, text.len());
    out.push_str(text);
}

struct Reader<'a> {
    rest: &'a str,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let byte = *self.rest.as_bytes().first()?;
        self.rest = self.rest.get(1..)?;
        Some(byte)
    }

    fn flag(&mut self) -> Option<bool> {
        match self.byte()? {
            b'0' => Some(false),
            b'1' => Some(true),
            _ => None,
        }
    }

    fn number(&mut self) -> Option<usize> {
        let (digits, rest) = self.rest.split_once(':')?;
        if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        self.rest = rest;
        Some(
            digits
                .bytes()
                .fold(0, |n, b| n * 10 + usize::from(b - b'0')),
        )
    }

    fn text(&mut self) -> Option<&'a str> {
        let len = self.number()?;
        let text = self.rest.get(..len)?;
        self.rest = self.rest.get(len..)?;
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(group: FieldGroup, name: &str, rule: FieldRule) -> FormField {
        FormField::for_checking(group, name.to_owned(), rule)
    }

    #[test]
    fn every_rule_comes_back_as_it_was() {
        let fields = vec![
            field(FieldGroup::Credentials, "apiKey", FieldRule::required()),
            field(FieldGroup::Credentials, "password", FieldRule::AnyString),
            field(
                FieldGroup::Params,
                "site: é",
                FieldRule::OneOf {
                    values: vec!["eu".into(), String::new(), "1:2".into()],
                    optional: true,
                },
            ),
            field(
                FieldGroup::AssertionOption,
                "",
                FieldRule::Text {
                    optional: true,
                    non_empty: false,
                    format: Some(FieldFormat::parse("date-time")),
                    pattern: Some("^[a-z]{2,}:$".into()),
                },
            ),
            field(
                FieldGroup::Params,
                "host",
                FieldRule::Text {
                    optional: false,
                    non_empty: false,
                    format: Some(FieldFormat::Hostname),
                    pattern: None,
                },
            ),
        ];
        let back = decode(&encode(&fields)).unwrap();
        let seen = |list: &[FormField]| -> Vec<(FieldGroup, String, FieldRule)> {
            list.iter()
                .map(|f| (f.group, f.name.clone(), f.rule.clone()))
                .collect()
        };
        assert_eq!(seen(&back), seen(&fields));
        assert_eq!(decode("").unwrap().len(), 0);
    }

    #[test]
    fn other_text_is_refused() {
        for text in [
            "x",
            "c3:abc",
            "c3:abc?",
            "c3:ab",
            "p1:a=1",
            "p1:a~11f9:x-",
            "c99999999999:a*",
        ] {
            assert!(decode(text).is_none(), "{text}");
        }
    }
}

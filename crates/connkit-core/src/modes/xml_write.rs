//! A token request's body written as XML, as fast-xml-parser 5.10.1's `XMLBuilder` writes it
//! with the options of Nango's TWO_STEP `body_format: xml` (`{format: true, indentBy: '  ',
//! attributeNamePrefix: '$', ignoreAttributes: false}`, `connection.service.ts`; spec §3.9, "XML bodies").
//!
//! Members are written in JavaScript's key order. A member named `$name` with a string, number
//! or boolean is an attribute of its element (`name="value"`; the text `true` as the bare name;
//! `null` leaves it out); `#text` is the element's text. Any other member is an element, one
//! line each, indented two spaces a level: a string, number or boolean as its text (`""` as
//! `<a></a>`), `null` as `<a/>`, an object as its members (written on one line when they hold
//! no element), an array as one element per item (its `null` items first). `&`, `<`, `>`, `'`
//! and `"` are escaped in text and attribute values alike. Every element ends with a line break,
//! the last one included. An object nested more than 100 levels deep is refused, as the builder
//! throws.
//!
//! Knows nothing about templates or HTTP.

use serde_json::{Map, Value};

use super::xml_read::MAX_DEPTH;
use crate::js::{js_key_order, js_number_string};
use crate::prelude::*;

/// `new XMLBuilder(Nango's options).build(body)`; `None` where the builder throws (nesting
/// deeper than 100 levels).
pub fn build_xml(body: &Map<String, Value>) -> Option<String> {
    Some(members(body, 0)?.1)
}

/// `valToStr` of a string, number or boolean.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => n.as_f64().map(js_number_string),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn indent(level: usize) -> String {
    "  ".repeat(level)
}

/// `j2x(object, level)`: the attributes and the elements of an object's members.
fn members(object: &Map<String, Value>, level: usize) -> Option<(String, String)> {
    if level >= MAX_DEPTH {
        return None;
    }
    let entries: Vec<(&String, &Value)> = object.iter().collect();
    let mut attributes = String::new();
    let mut elements = String::new();
    for at in js_key_order(entries.iter().map(|(k, _)| k.as_str())) {
        let Some((key, value)) = entries.get(at) else {
            continue;
        };
        let attribute = key.strip_prefix('$');
        match value {
            Value::Null if attribute.is_some() => {}
            Value::Null => elements.push_str(&empty_element(key, level)),
            Value::Object(inner) => elements.push_str(&element(inner, key, level)?),
            Value::Array(items) => {
                // A `null` item is written at once, the others after the loop (the
                // builder's `listTagVal`), so nulls come first.
                let mut list = String::new();
                for item in items {
                    match item {
                        Value::Null => elements.push_str(&empty_element(key, level)),
                        Value::Object(inner) => list.push_str(&element(inner, key, level)?),
                        Value::Array(inner) => {
                            list.push_str(&element(&indexed(inner), key, level)?);
                        }
                        other => list.push_str(&text_element(other, key, "", level)),
                    }
                }
                elements.push_str(&list);
            }
            scalar_value => {
                let text = scalar(scalar_value).unwrap_or_default();
                if let Some(name) = attribute {
                    let escaped = escape(&text);
                    if escaped == "true" {
                        attributes.push_str(&format!(" {name}"));
                    } else {
                        attributes.push_str(&format!(" {name}=\"{escaped}\""));
                    }
                } else if key.as_str() == "#text" {
                    elements.push_str(&escape(&text));
                } else {
                    elements.push_str(&text_element(scalar_value, key, "", level));
                }
            }
        }
    }
    Some((attributes, elements))
}

/// An array read as an object keyed by index, as `for…in` walks it.
fn indexed(items: &[Value]) -> Map<String, Value> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| (i.to_string(), v.clone()))
        .collect()
}

fn empty_element(key: &str, level: usize) -> String {
    match key.strip_prefix('?') {
        Some(_) => format!("{}<{key}?>\n", indent(level)),
        None => format!("{}<{key}/>\n", indent(level)),
    }
}

/// `processTextOrObjNode`.
fn element(object: &Map<String, Value>, key: &str, level: usize) -> Option<String> {
    let (attributes, inner) = members(object, level + 1)?;
    let pad = indent(level);
    if key.starts_with('?') {
        return Some(format!("{pad}<{key}{attributes}?>\n"));
    }
    if let Some(text) = object.get("#text").filter(|_| object.len() == 1) {
        return Some(text_element(text, key, &attributes, level));
    }
    Some(if inner.is_empty() {
        format!("{pad}<{key}{attributes}></{key}>\n")
    } else if !inner.contains('<') {
        format!("{pad}<{key}{attributes}>{inner}</{key}>\n")
    } else {
        format!("{pad}<{key}{attributes}>\n{inner}{pad}</{key}>\n")
    })
}

/// `buildTextValNode`.
fn text_element(value: &Value, key: &str, attributes: &str, level: usize) -> String {
    let pad = indent(level);
    if key.starts_with('?') {
        return format!("{pad}<{key}{attributes}?>\n");
    }
    let text = escape(&scalar(value).unwrap_or_default());
    if text.is_empty() {
        format!("{pad}<{key}{attributes}></{key}>\n")
    } else {
        format!("{pad}<{key}{attributes}>{text}</{key}>\n")
    }
}

//! XML text read into the tree fast-xml-parser 5.10.1 gives with the options of Nango's TWO_STEP
//! `body_format: xml` (`new XMLParser({ignoreAttributes: false, parseAttributeValue: true,
//! trimValues: true})`, `connection.service.ts`; spec §3.9, "XML bodies").
//!
//! An element becomes the member named after it (qualified names kept as written: `saml:Issuer`);
//! a repeated name becomes an array, in order. An element without children or attributes is its
//! text, `""` when it has none; otherwise an object of its children, then `#text` (its text
//! pieces joined) when there is any, then its attributes as `@_name`. Text is cut into pieces at
//! each tag; each piece is trimmed, its five XML entities decoded (`&#…;` and other references
//! are left as written, as the parser leaves them), and read as a value ([`fxp_value`]); a CDATA
//! section is one piece, neither trimmed nor decoded. Attribute values are trimmed, decoded and
//! read the same way; an attribute without a quoted value is dropped. The declaration and each
//! processing instruction become `?name` with their attributes; comments, a `DOCTYPE` without
//! an internal subset and text outside the root are skipped; `\r\n` is read as `\n`.
//!
//! [`parse_xml_as_written`] reads the same tree with every value kept as written: no piece
//! trimmed (white space between tags included) and none read as a number or boolean, only the
//! five entities decoded (fast-xml-parser's `parseTagValue: false, parseAttributeValue: false,
//! trimValues: false`), for a host that must see the exact text, such as a verifier of an XML
//! signature.
//!
//! Where fast-xml-parser reads malformed text leniently (a closing tag that does not match, an
//! element never closed) this reader refuses it, as it does the names the parser refuses
//! (`__proto__`, `constructor`, `prototype`), nesting deeper than its 100 levels and a
//! `DOCTYPE` with an internal subset (entity declarations): an [`XmlError`], never a panic.
//!
//! Knows nothing about HTTP or which provider answered.

use serde_json::{Map, Number, Value};

use crate::js::{is_whole, js_number_string, js_trim, to_number};
use crate::prelude::*;

/// fast-xml-parser's `maxNestedTags`.
pub(crate) const MAX_DEPTH: usize = 100;

/// Why a text is not XML this reader reads, and where it noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlError {
    /// What is wrong, as an identifier: `end_tag_mismatch`, `unclosed_element`, `too_deep`, …
    pub reason: &'static str,
    /// The byte offset in the text (after `\r\n` became `\n`).
    pub offset: usize,
}

impl XmlError {
    /// `"Invalid XML (<reason>) at byte <offset>"`.
    pub fn describe(&self) -> String {
        format!("Invalid XML ({}) at byte {}", self.reason, self.offset)
    }
}

/// One open element.
struct Open {
    name: String,
    attributes: Map<String, Value>,
    children: Map<String, Value>,
    text: Option<Value>,
}

impl Open {
    fn new(name: String, attributes: Map<String, Value>) -> Open {
        Open {
            name,
            attributes,
            children: Map::new(),
            text: None,
        }
    }

    /// `text += "" + piece`: the first piece as it is, then the text of each joined.
    fn add_text(&mut self, piece: Value) {
        self.text = Some(match self.text.take() {
            None => piece,
            Some(before) => Value::String(js_string(&before) + &js_string(&piece)),
        });
    }

    /// node2json's `compress` of the element: its value in its parent.
    fn close(self) -> Value {
        let mut out = self.children;
        match self.text {
            Some(Value::String(s)) if s.is_empty() => {}
            Some(text) => {
                out.insert("#text".to_owned(), text);
            }
            None => {}
        }
        if !self.attributes.is_empty() {
            out.extend(self.attributes);
            return Value::Object(out);
        }
        if out.len() == 1
            && let Some(text) = out.get("#text")
        {
            return text.clone();
        }
        if out.is_empty() {
            return Value::String(String::new());
        }
        Value::Object(out)
    }
}

fn js_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map(js_number_string).unwrap_or_default(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// A repeated name becomes an array of its values.
fn add_child(children: &mut Map<String, Value>, name: String, value: Value) {
    match children.get_mut(&name) {
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => {
            let first = core::mem::replace(existing, Value::Null);
            *existing = Value::Array(vec![first, value]);
        }
        None => {
            children.insert(name, value);
        }
    }
}

/// Reads `text` as fast-xml-parser does with Nango's options (see the module's comment).
pub fn parse_xml(text: &str) -> Result<Value, XmlError> {
    read(text, Values::Typed)
}

/// Reads `text` into the same tree with every text piece and attribute value a string as
/// written (entities decoded), nothing trimmed.
pub fn parse_xml_as_written(text: &str) -> Result<Value, XmlError> {
    read(text, Values::AsWritten)
}

/// How text pieces and attribute values are read.
#[derive(Clone, Copy)]
enum Values {
    /// Trimmed and read as values (`fxp_value`), Nango's options.
    Typed,
    /// Strings as written.
    AsWritten,
}

impl Values {
    /// A decoded piece or attribute value; `None` for a piece that adds nothing.
    fn read(self, decoded: &str) -> Option<Value> {
        match self {
            Values::Typed => {
                let trimmed = js_trim(decoded);
                (!trimmed.is_empty()).then(|| fxp_value(trimmed))
            }
            Values::AsWritten => (!decoded.is_empty()).then(|| Value::String(decoded.to_owned())),
        }
    }

    /// A CDATA section's piece: neither trimmed nor decoded.
    fn cdata(self, text: &str) -> Value {
        match self {
            Values::Typed => fxp_value(text),
            Values::AsWritten => Value::String(text.to_owned()),
        }
    }
}

fn read(text: &str, values: Values) -> Result<Value, XmlError> {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let src = normalized.as_str();
    let mut root: Map<String, Value> = Map::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut pos = 0;
    let err = |reason, offset| Err(XmlError { reason, offset });
    while pos < src.len() {
        let rest = src.get(pos..).unwrap_or("");
        let Some(lt) = rest.find('<') else {
            flush(&mut stack, rest, values);
            break;
        };
        flush(&mut stack, rest.get(..lt).unwrap_or(""), values);
        let at = pos + lt;
        let markup = src.get(at..).unwrap_or("");
        if let Some(body) = markup.strip_prefix("<!--") {
            let Some(end) = body.find("-->") else {
                return err("unclosed_comment", at);
            };
            pos = at + 4 + end + 3;
        } else if let Some(body) = markup.strip_prefix("<![CDATA[") {
            let Some(end) = body.find("]]>") else {
                return err("unclosed_cdata", at);
            };
            if let Some(open) = stack.last_mut() {
                open.add_text(values.cdata(body.get(..end).unwrap_or("")));
            }
            pos = at + 9 + end + 3;
        } else if markup.starts_with("<!") {
            let Some(end) = markup.find('>') else {
                return err("unclosed_declaration", at);
            };
            if markup.get(..end).is_some_and(|d| d.contains('[')) {
                return err("doctype_subset", at);
            }
            pos = at + end + 1;
        } else if let Some(body) = markup.strip_prefix("<?") {
            let Some(end) = body.find("?>") else {
                return err("unclosed_instruction", at);
            };
            let inner = body.get(..end).unwrap_or("");
            let (name, attributes) = split_tag(inner);
            if name.is_empty() {
                return err("instruction_without_name", at);
            }
            let value = Open::new(String::new(), read_attributes(attributes, values)).close();
            let children = stack.last_mut().map_or(&mut root, |o| &mut o.children);
            add_child(children, format!("?{name}"), value);
            pos = at + 2 + end + 2;
        } else if let Some(body) = markup.strip_prefix("</") {
            let Some(end) = body.find('>') else {
                return err("unclosed_end_tag", at);
            };
            let name = js_trim(body.get(..end).unwrap_or(""));
            let Some(open) = stack.pop() else {
                return err("end_tag_without_start", at);
            };
            if open.name != name {
                return err("end_tag_mismatch", at);
            }
            let value = open.close();
            let children = stack.last_mut().map_or(&mut root, |o| &mut o.children);
            add_child(children, name.to_owned(), value);
            pos = at + 2 + end + 1;
        } else {
            let Some(end) = tag_end(markup) else {
                return err("unclosed_start_tag", at);
            };
            let inner = markup.get(1..end).unwrap_or("");
            let (inner, empty) = match inner.strip_suffix('/') {
                Some(inner) => (inner, true),
                None => (inner, false),
            };
            let (name, attributes) = split_tag(inner);
            if name.is_empty() {
                return err("tag_without_name", at);
            }
            if matches!(name, "__proto__" | "constructor" | "prototype") {
                return err("reserved_name", at);
            }
            let open = Open::new(name.to_owned(), read_attributes(attributes, values));
            if empty {
                let value = open.close();
                let children = stack.last_mut().map_or(&mut root, |o| &mut o.children);
                add_child(children, name.to_owned(), value);
            } else {
                if stack.len() >= MAX_DEPTH {
                    return err("too_deep", at);
                }
                stack.push(open);
            }
            pos = at + end + 1;
        }
    }
    if !stack.is_empty() {
        return err("unclosed_element", src.len());
    }
    Ok(Value::Object(root))
}

/// Adds a text piece to the open element (text outside the root is skipped).
fn flush(stack: &mut [Open], raw: &str, values: Values) {
    if let Some(open) = stack.last_mut()
        && let Some(piece) = values.read(&decode_entities(raw))
    {
        open.add_text(piece);
    }
}

/// The offset of the `>` that ends the tag starting `markup`, outside quoted values.
fn tag_end(markup: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in markup.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// A tag's name (up to the first white space) and the rest.
fn split_tag(inner: &str) -> (&str, &str) {
    match inner.find(|c: char| c.is_ascii_whitespace()) {
        Some(at) => (inner.get(..at).unwrap_or(""), inner.get(at..).unwrap_or("")),
        None => (inner, ""),
    }
}

/// `buildAttributesMap`: each `name="value"` (or `'value'`) as `@_name`, the value trimmed,
/// decoded and read; a name without a quoted value is dropped; a repeated name keeps its
/// place and takes the last value.
fn read_attributes(text: &str, values: Values) -> Map<String, Value> {
    let mut out = Map::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let name_len = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let name = rest.get(..name_len).unwrap_or("");
        rest = rest.get(name_len..).unwrap_or("");
        let after = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
        if let Some(value_part) = after.strip_prefix('=') {
            let value_part = value_part.trim_start_matches(|c: char| c.is_ascii_whitespace());
            let quote = value_part
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'');
            if let Some(q) = quote
                && let Some(close) = value_part.get(1..).and_then(|v| v.find(q))
            {
                let raw = value_part.get(1..1 + close).unwrap_or("");
                if !name.is_empty() {
                    let value = values
                        .read(&decode_entities(raw))
                        .unwrap_or_else(|| Value::String(String::new()));
                    out.insert(format!("@_{name}"), value);
                }
                rest = value_part.get(close + 2..).unwrap_or("");
                continue;
            }
            // `=` without a quoted value: the regular expression starts again after it.
            rest = value_part;
        } else {
            rest = after;
        }
        if name.is_empty() && rest.is_empty() {
            return out;
        }
        if name.is_empty() {
            // A lone `=` or quote: skip one character.
            let skip = rest.chars().next().map_or(0, char::len_utf8);
            rest = rest.get(skip..).unwrap_or("");
        }
    }
}

/// The five XML entities, decoded in one pass; any other reference stays as written.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(rest.get(..at).unwrap_or(""));
        let after = rest.get(at..).unwrap_or("");
        let found = [
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&apos;", '\''),
        ]
        .into_iter()
        .find(|(name, _)| after.starts_with(name));
        match found {
            Some((name, c)) => {
                out.push(c);
                rest = after.get(name.len()..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = after.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    out
}

/// fast-xml-parser's `parseValue` with parsing on: `true` and `false` (trimmed) are booleans,
/// and strnum's `toNumber` (hex, leading zeros and e-notation allowed) reads numbers; anything
/// else is the text as given.
pub(crate) fn fxp_value(text: &str) -> Value {
    match js_trim(text) {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => strnum(text).map_or_else(|| Value::String(text.to_owned()), number),
    }
}

fn number(n: f64) -> Value {
    if is_whole(n) && n.abs() <= 9_007_199_254_740_992.0 {
        // `-0` is written `0`, as JSON writes it.
        return Value::from(n as i64);
    }
    Number::from_f64(n).map_or(Value::Null, Value::Number)
}

fn js_number(text: &str) -> f64 {
    to_number(&Value::String(text.to_owned()))
}

/// strnum 2's `toNumber(text)` with fast-xml-parser's options: the number, or `None` for the
/// original text.
fn strnum(text: &str) -> Option<f64> {
    let t = js_trim(text);
    if t.is_empty() {
        return None;
    }
    if t == "0" {
        return Some(0.0);
    }
    let (sign, unsigned) = match t.as_bytes().first() {
        Some(b'-') => ("-", t.get(1..)?),
        Some(b'+') => ("+", t.get(1..)?),
        _ => ("", t),
    };
    if let Some(digits) = unsigned.strip_prefix("0x")
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_hexdigit())
    {
        let magnitude = digits
            .bytes()
            .fold(0.0, |acc, b| acc * 16.0 + f64::from(hex_digit(b)));
        return Some(if sign == "-" { -magnitude } else { magnitude });
    }
    let n = js_number(t);
    if !n.is_finite() {
        return None;
    }
    if t.contains(['e', 'E']) {
        return e_notation(t, sign, unsigned);
    }
    // `/^([\-\+])?(0*)([0-9]*(\.[0-9]*)?)$/`
    let zeros = unsigned.bytes().take_while(|b| *b == b'0').count();
    let (leading, digits) = unsigned.split_at_checked(zeros)?;
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int) || !all_digits(frac) {
        return None;
    }
    if n == 0.0 {
        return Some(n);
    }
    let written = js_number_string(n);
    if written.contains(['e', 'E']) {
        return Some(n);
    }
    let trimmed = trim_zeros(digits);
    if t.contains('.') {
        let same = written == "0" || written == trimmed || written == format!("{sign}{trimmed}");
        return same.then_some(n);
    }
    let same = if leading.is_empty() {
        t == written || t == format!("{sign}{written}")
    } else {
        trimmed == written || format!("{sign}{trimmed}") == written
    };
    same.then_some(n)
}

fn hex_digit(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b.wrapping_sub(b'A').wrapping_add(10),
    }
}

/// strnum's `resolveEnotation`.
fn e_notation(t: &str, sign: &str, unsigned: &str) -> Option<f64> {
    // `/^([-+])?(0*)(\d*(\.\d*)?[eE][-\+]?\d+)$/`
    let zeros = unsigned.bytes().take_while(|b| *b == b'0').count();
    let notation = unsigned.get(zeros..)?;
    let e_at = notation.find(['e', 'E'])?;
    let (mantissa, exponent) = (notation.get(..e_at)?, notation.get(e_at + 1..)?);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) || exponent.is_empty() || !digits(exponent) {
        return None;
    }
    let e_char = if notation.contains('e') { 'e' } else { 'E' };
    let adjacent = t.chars().nth(zeros + sign.len()) == Some(e_char);
    let n = js_number(t);
    if zeros > 1 && adjacent {
        None
    } else if zeros == 1
        && (notation.starts_with(&format!(".{e_char}")) || notation.starts_with(e_char))
    {
        Some(n)
    } else if zeros > 0 {
        (!adjacent).then_some(n)
    } else {
        Some(n)
    }
}

/// strnum's `trimZeros`: a decimal's trailing zeros (and a bare point) removed, a leading point
/// given a zero.
fn trim_zeros(digits: &str) -> String {
    if !digits.contains('.') {
        return digits.to_owned();
    }
    let cut = digits.trim_end_matches('0');
    if cut == "." {
        "0".to_owned()
    } else if let Some(frac) = cut.strip_prefix('.') {
        format!("0.{frac}")
    } else {
        cut.strip_suffix('.').unwrap_or(cut).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_as_written_keep_their_text() {
        let text = "<a v=\" 2.0 \" b=\"&lt;x&gt;\">\n  <n> 007 </n>\n  <t>true</t><e/><c><![CDATA[ &amp; ]]></c>\n</a>";
        assert_eq!(
            parse_xml_as_written(text),
            Ok(json!({"a": {
                "n": " 007 ", "t": "true", "e": "", "c": " &amp; ",
                "#text": "\n  \n  \n", "@_v": " 2.0 ", "@_b": "<x>",
            }}))
        );
        assert_eq!(
            parse_xml(text),
            Ok(json!({"a": {
                "n": 7, "t": true, "e": "", "c": " &amp; ", "@_v": 2, "@_b": "<x>",
            }}))
        );
    }
}

//! TWO_STEP's SAML 2.0 assertion (`assertion.type` other than `jwt`, sap-success-factors), as
//! Nango's `generateSamlAssertion` and `isSamlAssertionExpired` make and judge it
//! (`packages/shared/lib/auth/assertion.ts`, @xmldom/xmldom 0.8.13 and xml-crypto 6.1.2; spec
//! §3.9, "SAML assertions").
//!
//! The values are those of the JWT assertion (`assertion.rs`). Each string member of the
//! provider's `assertion` is filled in (`interpolateString`) and read: `issuer`, `uid`,
//! `lifetimeInSeconds` (`parseInt`; members of another type are ignored, so the lifetime is 300
//! seconds unless given as text), `audiences` (split at commas), `recipient`, `inResponseTo`,
//! `sessionIndex`, `nameIdentifier`, `nameIdentifierFormat`, `authnContextClassRef` and `key`;
//! `attributes` is filled in as `interpolateObject` does and each value written as
//! `String(value)`. The assertion's `ID` is `_` and the context's random UUID without its dashes
//! (Nango's `uid()`), unless `uid` gives it.
//!
//! With a key (read as `generatePrivateKey` reads it, `sign.rs`), the assertion carries an
//! enveloped XML-DSig signature after its `Issuer`, as xml-crypto writes it: exclusive
//! canonicalisation, RSA-SHA256, a SHA-256 digest of the `Assertion` by its `ID`, transforms
//! enveloped-signature then exclusive c14n, no `KeyInfo`. connkit writes the document itself,
//! so it also writes the canonical form of its own tree ([`Element::canonical`]) instead of
//! canonicalising arbitrary XML. The result is the document's base64.
//!
//! A held assertion is kept while the `NotOnOrAfter` of its `Conditions` is more than 60
//! seconds away. Every failure is Nango's `failed_to_generate_assertion`.
//!
//! Knows nothing about HTTP, storage or sessions.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::Context;
use super::assertion::key_path;
use super::failure::{Failure, ModeError, issue};
use super::sign::{assertion_key, sign};
use super::template::{interpolate, interpolate_object};
use super::xml_read::parse_xml;
use crate::js::{base64, base64_decode, to_iso_string, to_js_string};
use crate::oauth2::{parse_expiration_date, parse_int};
use crate::prelude::*;
use crate::{Detail, ErrorCode};

const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// Nango's `ASSERTION_REFRESH_MARGIN_SECONDS`.
const REFRESH_MARGIN_MS: i64 = 60_000;

/// One element: its qualified name, the namespaces it declares, its other attributes (both in
/// the order the document writes them) and its children.
struct Element {
    name: &'static str,
    namespaces: Vec<(&'static str, &'static str)>,
    attributes: Vec<(&'static str, String)>,
    children: Vec<Node>,
}

enum Node {
    Element(Element),
    Text(String),
}

fn el(name: &'static str) -> Element {
    Element {
        name,
        namespaces: Vec::new(),
        attributes: Vec::new(),
        children: Vec::new(),
    }
}

impl Element {
    fn attr(mut self, name: &'static str, value: impl Into<String>) -> Element {
        self.attributes.push((name, value.into()));
        self
    }

    fn xmlns(mut self, prefix: &'static str, uri: &'static str) -> Element {
        self.namespaces.push((prefix, uri));
        self
    }

    fn child(mut self, child: Element) -> Element {
        self.children.push(Node::Element(child));
        self
    }

    fn text(mut self, text: impl Into<String>) -> Element {
        let text = text.into();
        if !text.is_empty() {
            self.children.push(Node::Text(text));
        }
        self
    }

    /// The element as a document holds it: declarations first, then the attributes as given;
    /// an element without children as `<a/>`.
    fn document(&self, out: &mut String) {
        out.push('<');
        out.push_str(self.name);
        for (prefix, uri) in &self.namespaces {
            push_namespace(out, prefix, uri);
        }
        for (name, value) in &self.attributes {
            push_attribute(out, name, value);
        }
        if self.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for child in &self.children {
            match child {
                Node::Element(e) => e.document(out),
                Node::Text(t) => push_text(out, t),
            }
        }
        out.push_str("</");
        out.push_str(self.name);
        out.push('>');
    }

    /// Exclusive XML canonicalisation (without comments) of the element, `scope` holding the
    /// namespaces its ancestors declare and `rendered` those its output ancestors wrote: each
    /// namespace the element or its attributes use is written unless an output ancestor wrote
    /// it already, declarations sorted by prefix, attributes by namespace URI then local name,
    /// every element with an end tag.
    fn canonical(&self, scope: &[(&str, &str)], rendered: &[(&str, &str)], out: &mut String) {
        let mut scope = scope.to_vec();
        scope.extend(self.namespaces.iter().copied());
        let uri_of = |prefix: &str| {
            scope
                .iter()
                .rev()
                .find(|(p, _)| *p == prefix)
                .map(|(_, u)| *u)
        };
        let mut used: Vec<&str> = vec![prefix_of(self.name)];
        used.extend(
            self.attributes
                .iter()
                .map(|(name, _)| prefix_of(name))
                .filter(|p| !p.is_empty() && *p != "xml"),
        );
        used.sort_unstable();
        used.dedup();
        let mut rendered = rendered.to_vec();
        let mut written: Vec<(&str, &str)> = Vec::new();
        for prefix in used {
            let Some(uri) = uri_of(prefix) else { continue };
            let current = rendered.iter().rev().find(|(p, _)| *p == prefix);
            if current.is_none_or(|(_, u)| *u != uri) {
                written.push((prefix, uri));
                rendered.push((prefix, uri));
            }
        }
        let mut attributes: Vec<(&str, &str, &str, &String)> = self
            .attributes
            .iter()
            .map(|(name, value)| {
                let prefix = prefix_of(name);
                let uri = match prefix {
                    "" => "",
                    p => uri_of(p).unwrap_or(""),
                };
                let local = name.rsplit(':').next().unwrap_or(name);
                (uri, local, *name, value)
            })
            .collect();
        attributes.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        out.push('<');
        out.push_str(self.name);
        for (prefix, uri) in written {
            push_namespace(out, prefix, uri);
        }
        for (_, _, name, value) in attributes {
            push_attribute(out, name, value);
        }
        out.push('>');
        for child in &self.children {
            match child {
                Node::Element(e) => e.canonical(&scope, &rendered, out),
                Node::Text(t) => push_text(out, t),
            }
        }
        out.push_str("</");
        out.push_str(self.name);
        out.push('>');
    }
}

/// The prefix of a qualified name, `""` for none.
fn prefix_of(name: &str) -> &str {
    name.split_once(':').map_or("", |(p, _)| p)
}

fn push_namespace(out: &mut String, prefix: &str, uri: &str) {
    let name = if prefix.is_empty() {
        String::from("xmlns")
    } else {
        format!("xmlns:{prefix}")
    };
    push_attribute(out, &name, uri);
}

/// An attribute as canonical XML escapes it (`&`, `<`, `"`, tab, line feed, carriage return),
/// which a document may hold as well.
fn push_attribute(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Text as canonical XML escapes it (`&`, `<`, `>`, carriage return).
fn push_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

/// `SamlAssertionOptions` as `generateSamlAssertion` fills them.
#[derive(Default)]
struct Options {
    uid: Option<String>,
    issuer: String,
    lifetime: Option<f64>,
    audiences: Vec<String>,
    recipient: Option<String>,
    in_response_to: Option<String>,
    attributes: Option<Map<String, Value>>,
    session_index: Option<String>,
    name_identifier: Option<String>,
    name_identifier_format: Option<String>,
    authn_context_class_ref: Option<String>,
    key: Option<String>,
}

/// The signed (or, without a key, unsigned) assertion, base64.
pub(crate) fn saml_assertion(
    assertion: &Map<String, Value>,
    credentials: &Map<String, Value>,
    config: &Map<String, Value>,
    assertion_option: &Map<String, Value>,
    ctx: &Context<'_>,
) -> Result<String, ModeError> {
    let mut values = Map::new();
    values.insert("credentials".to_owned(), Value::Object(credentials.clone()));
    values.insert("connectionConfig".to_owned(), Value::Object(config.clone()));
    values.insert(
        "assertionOption".to_owned(),
        Value::Object(assertion_option.clone()),
    );
    let mut o = Options::default();
    for (key, value) in assertion {
        if let (Value::Object(attributes), "attributes") = (value, key.as_str()) {
            let filled = interpolate_object(&Value::Object(attributes.clone()), &values, ctx);
            o.attributes = filled.as_object().cloned();
            continue;
        }
        let Value::String(template) = value else {
            continue;
        };
        let text = interpolate(template, &values, ctx);
        let some = Some(text.clone());
        match key.as_str() {
            "issuer" => o.issuer = text,
            "uid" => o.uid = some,
            "lifetimeInSeconds" => {
                o.lifetime = Some(parse_int(&Value::String(text)).unwrap_or(f64::NAN))
            }
            "audiences" if !text.is_empty() => {
                o.audiences = text.split(',').map(str::to_owned).collect();
            }
            "recipient" => o.recipient = some,
            "inResponseTo" => o.in_response_to = some,
            "sessionIndex" => o.session_index = some,
            "nameIdentifier" => o.name_identifier = some,
            "nameIdentifierFormat" => o.name_identifier_format = some,
            "authnContextClassRef" => o.authn_context_class_ref = some,
            "key" => o.key = some,
            _ => {}
        }
    }
    let id = match o.uid.as_deref().filter(|u| !u.is_empty()) {
        Some(uid) => format!("_{uid}"),
        None => format!("_{}", ctx.random.replace('-', "").get(..32).unwrap_or("")),
    };
    let lifetime = ["assertion", "lifetimeInSeconds"];
    let mut root = document(&o, &id, ctx)
        .ok_or_else(|| failed(ErrorCode::AuthProviderIncomplete, &lifetime))?;
    if let Some(key_text) = o.key.as_deref().filter(|k| !k.is_empty()) {
        let template = assertion.get("key").and_then(Value::as_str).unwrap_or("");
        let path = key_path(template);
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let key = assertion_key(key_text).ok_or_else(|| failed(ErrorCode::PemInvalid, &path))?;
        let mut digest_input = String::new();
        root.canonical(&[], &[], &mut digest_input);
        let digest = base64(&Sha256::digest(digest_input.as_bytes()));
        let signed_info = signed_info(&id, digest);
        let mut info_text = String::new();
        signed_info.canonical(&[("", DSIG)], &[], &mut info_text);
        let value = sign("RS256", &key, info_text.as_bytes(), ctx.random)
            .map_err(|_| failed(ErrorCode::PemInvalid, &path))?;
        let signature = el("Signature")
            .xmlns("", DSIG)
            .child(signed_info)
            .child(el("SignatureValue").text(base64(&value)));
        // After the Issuer, xml-crypto's `location`.
        root.children.insert(1, Node::Element(signature));
    }
    let mut xml = String::new();
    root.document(&mut xml);
    Ok(base64(xml.as_bytes()))
}

/// `buildSamlDocument`; `None` where a date is invalid (`toISOString` throws).
fn document(o: &Options, id: &str, ctx: &Context<'_>) -> Option<Element> {
    let now = to_iso_string(ctx.now_ms)?;
    let lifetime = o.lifetime.unwrap_or(300.0);
    let until_ms = ctx.now_ms as f64 + lifetime * 1000.0;
    let until = (until_ms.is_finite() && until_ms.abs() < 9e15)
        .then(|| to_iso_string(until_ms as i64))??;
    let mut confirmation = el("saml:SubjectConfirmationData");
    if let Some(recipient) = o.recipient.as_deref().filter(|r| !r.is_empty()) {
        confirmation = confirmation.attr("Recipient", recipient);
    }
    if let Some(to) = o.in_response_to.as_deref().filter(|t| !t.is_empty()) {
        confirmation = confirmation.attr("InResponseTo", to);
    }
    let format = o
        .name_identifier_format
        .as_deref()
        .filter(|f| !f.is_empty());
    let subject = el("saml:Subject")
        .child(
            el("saml:NameID")
                .text(o.name_identifier.clone().unwrap_or_default())
                .attr(
                    "Format",
                    format.unwrap_or("urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"),
                ),
        )
        .child(
            el("saml:SubjectConfirmation")
                .attr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
                .child(confirmation.attr("NotOnOrAfter", until.clone())),
        );
    let mut conditions = el("saml:Conditions")
        .attr("NotBefore", now.clone())
        .attr("NotOnOrAfter", until);
    if !o.audiences.is_empty() {
        let mut restriction = el("saml:AudienceRestriction");
        for audience in &o.audiences {
            restriction = restriction.child(el("saml:Audience").text(audience.clone()));
        }
        conditions = conditions.child(restriction);
    }
    let mut statement = el("saml:AuthnStatement").attr("AuthnInstant", now.clone());
    if let Some(index) = o.session_index.as_deref().filter(|i| !i.is_empty()) {
        statement = statement.attr("SessionIndex", index);
    }
    let class = o
        .authn_context_class_ref
        .as_deref()
        .filter(|c| !c.is_empty());
    let statement = statement.child(
        el("saml:AuthnContext").child(
            el("saml:AuthnContextClassRef")
                .text(class.unwrap_or("urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified")),
        ),
    );
    let mut root = el("saml:Assertion")
        .xmlns("saml", SAML)
        .attr("ID", id)
        .attr("Version", "2.0")
        .attr("IssueInstant", now)
        .child(el("saml:Issuer").text(o.issuer.clone()))
        .child(subject)
        .child(conditions)
        .child(statement);
    if let Some(attributes) = &o.attributes {
        let mut statement = el("saml:AttributeStatement")
            .xmlns("xs", "http://www.w3.org/2001/XMLSchema")
            .xmlns("xsi", XSI);
        for (name, value) in attributes {
            let mut attribute = el("saml:Attribute").attr("Name", name.clone()).attr(
                "NameFormat",
                "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
            );
            // `interpolateObject` left no array: each value is one `String(value)`.
            attribute = attribute.child(
                el("saml:AttributeValue")
                    .attr("xsi:type", "xs:string")
                    .text(to_js_string(value)),
            );
            statement = statement.child(attribute);
        }
        root = root.child(statement);
    }
    Some(root)
}

/// xml-crypto's `SignedInfo` for one reference to `#id`.
fn signed_info(id: &str, digest: String) -> Element {
    let algorithm = |name: &'static str, uri: &'static str| el(name).attr("Algorithm", uri);
    el("SignedInfo")
        .child(algorithm("CanonicalizationMethod", EXC_C14N))
        .child(algorithm(
            "SignatureMethod",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        ))
        .child(
            el("Reference")
                .attr("URI", format!("#{id}"))
                .child(
                    el("Transforms")
                        .child(algorithm(
                            "Transform",
                            "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
                        ))
                        .child(algorithm("Transform", EXC_C14N)),
                )
                .child(algorithm(
                    "DigestMethod",
                    "http://www.w3.org/2001/04/xmlenc#sha256",
                ))
                .child(el("DigestValue").text(digest)),
        )
}

/// `isSamlAssertionExpired` negated: the held value is base64 XML whose first `Conditions`
/// element has a `NotOnOrAfter` more than 60 seconds away.
pub(crate) fn saml_fresh(held: &Value, now_ms: i64) -> bool {
    let Some(text) = held.as_str().filter(|t| !t.is_empty()) else {
        return false;
    };
    let Some(bytes) = base64_decode(text) else {
        return false;
    };
    let Ok(tree) = parse_xml(&String::from_utf8_lossy(&bytes)) else {
        return false;
    };
    let until = conditions(&tree)
        .and_then(|c| c.get("@_NotOnOrAfter"))
        .and_then(parse_expiration_date);
    until.is_some_and(|until| until - now_ms >= REFRESH_MARGIN_MS)
}

/// The first member named `Conditions` (any prefix), depth first.
fn conditions(value: &Value) -> Option<&Map<String, Value>> {
    match value {
        Value::Object(map) => map.iter().find_map(|(key, child)| {
            let local = key.rsplit(':').next().unwrap_or(key);
            match child {
                Value::Object(found) if local == "Conditions" => Some(found),
                _ => conditions(child),
            }
        }),
        Value::Array(items) => items.iter().find_map(conditions),
        _ => None,
    }
}

/// `failed_to_generate_assertion`, the issue at the value that could not be used.
fn failed(code: ErrorCode, path: &[&str]) -> ModeError {
    let name = path.join(".");
    Failure::new(
        "failed_to_generate_assertion",
        format!("The SAML assertion cannot be made from `{name}`: it needs an RSA private key of at least 2048 bits in PKCS#8 PEM, and a lifetime in seconds."),
        issue(code, path, Detail::Name(name.clone())),
    )
    .into()
}

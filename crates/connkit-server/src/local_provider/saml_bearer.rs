//! `POST /saml2-bearer`: an SAP SuccessFactors-like token endpoint for TWO_STEP's SAML
//! assertions (form: `grant_type=urn:ietf:params:oauth:grant-type:saml2-bearer`, `assertion`
//! base64, `client_id`, `company_id`). It answers `{"access_token", "token_type",
//! "expires_in"}` when the assertion's XML-DSig signature verifies with a trusted RSA key
//! ([`LocalProvider::trust_public_key`]), its `Issuer` is [`SAML_ISSUER`], its `Audience`
//! [`SAML_AUDIENCE`], its `NameID` [`DEMO_USER`], its `Recipient` this endpoint's own URL,
//! its `Conditions` hold now, its `api_key` attribute is the posted `client_id` (a known
//! client) and `company_id` is [`DEMO_COMPANY`]; else RFC 6749's error, 400 `invalid_grant`
//! (401 `invalid_client`). Every assertion it reads is kept
//! ([`LocalProvider::saml_assertions`]); counted with [`LocalProvider::sessions`].
//!
//! The verifier checks the signature as xml-crypto checks the one connkit writes, and no
//! more: one `Reference` to the `Assertion`'s `ID`, the transforms enveloped-signature then
//! exclusive c14n, SHA-256, RSA-SHA256. It recomputes both canonical forms itself, from the
//! tree core's reader gives with every value as written (`parse_xml_as_written`), rather than
//! calling the signer's canonicaliser, so that a fault there fails here. That tree keeps
//! neither the order of differently named siblings interleaved nor text beside child
//! elements, and leaves character references undecoded: a document that needs them (connkit's
//! never does, unless a value holds a tab or line break) is refused.
//!
//! Knows nothing about connkit's API, sessions or store.

use std::sync::PoisonError;
use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::HOST;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use connkit_core::js::parse_date;
use connkit_core::modes::parse_xml_as_written;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::xml_gateway::{DEMO_COMPANY, DEMO_USER};
use super::{LocalProvider, PREFIX, no_store, oauth_error, read_params};
use crate::crypto::random_hex;

/// The `Issuer` the endpoint accepts.
pub const SAML_ISSUER: &str = "demo-people";
/// The `Audience` the endpoint accepts.
pub const SAML_AUDIENCE: &str = "demo-people";

const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:saml2-bearer";
const SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// Namespace declarations in scope: (prefix, URI), innermost last.
type Scope = Vec<(String, String)>;

/// `POST /saml2-bearer`.
pub(super) async fn saml2_bearer(
    State(provider): State<LocalProvider>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    provider.inner.sessions.fetch_add(1, Ordering::SeqCst);
    if provider.inner.fail_token_requests.load(Ordering::SeqCst) {
        return oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "The token endpoint failed on purpose.",
        );
    }
    let params = read_params(&headers, &body);
    let param = |key: &str| params.get(key).map_or("", String::as_str);
    if param("grant_type") != GRANT_TYPE {
        let why = "Use urn:ietf:params:oauth:grant-type:saml2-bearer.";
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", why);
    }
    if !provider.knows_client(param("client_id")) {
        let why = "Unknown client.";
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", why);
    }
    let assertion = param("assertion");
    if !assertion.is_empty() {
        provider
            .inner
            .saml_assertions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(assertion.to_owned());
    }
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let expected = Expected {
        recipient: format!("http://{host}{PREFIX}/saml2-bearer"),
        client_id: param("client_id"),
        now_ms: crate::timestamp::now() / 1000,
    };
    let keys = provider
        .inner
        .trusted_keys
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let verdict = BASE64
        .decode(assertion)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(Refusal::NotXml)
        .and_then(|xml| verify(&xml, &keys, &expected));
    if let Err(refusal) = verdict {
        let why = refusal.describe();
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", why);
    }
    if param("company_id") != DEMO_COMPANY {
        let why = "Unknown company.";
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", why);
    }
    let body = json!({
        "access_token": format!("demo-saml-{}", random_hex(16)),
        "token_type": "Bearer",
        "expires_in": provider.inner.expires_in.load(Ordering::SeqCst),
    });
    (StatusCode::OK, no_store(), axum::Json(body)).into_response()
}

/// What the assertion must say besides its fixed values.
struct Expected<'a> {
    recipient: String,
    client_id: &'a str,
    now_ms: i64,
}

/// Why an assertion is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    NotXml,
    NotAssertion,
    Unsigned,
    Algorithms,
    Reference,
    Uncanonical,
    Digest,
    Untrusted,
    Issuer,
    User,
    Recipient,
    Conditions,
    Audience,
    ApiKey,
}

impl Refusal {
    /// The `error_description` of the answer.
    fn describe(self) -> &'static str {
        match self {
            Refusal::NotXml => "The assertion is not base64 XML.",
            Refusal::NotAssertion => "The document is not a SAML 2.0 assertion.",
            Refusal::Unsigned => "The assertion carries no XML-DSig signature.",
            Refusal::Algorithms => "The signature uses algorithms this provider does not check.",
            Refusal::Reference => "The signature's reference is not to the assertion.",
            Refusal::Uncanonical => "The document holds XML this provider cannot canonicalise.",
            Refusal::Digest => "The digest does not match the assertion.",
            Refusal::Untrusted => "The signature does not verify with a trusted key.",
            Refusal::Issuer => "Unknown issuer.",
            Refusal::User => "Unknown user.",
            Refusal::Recipient => "The assertion is for another recipient.",
            Refusal::Conditions => "The assertion is not valid now.",
            Refusal::Audience => "The assertion is for another audience.",
            Refusal::ApiKey => "The assertion's api_key is not the client's.",
        }
    }
}

/// Checks the signed assertion `xml`: its signature, then what it says.
fn verify(xml: &str, keys: &[String], expected: &Expected<'_>) -> Result<(), Refusal> {
    let tree = parse_xml_as_written(xml).map_err(|_| Refusal::NotXml)?;
    let assertion = signed_assertion(&tree, keys)?;
    claims(assertion, expected)
}

/// The assertion of `tree` when its signature verifies with one of `keys`.
fn signed_assertion<'a>(
    tree: &'a Value,
    keys: &[String],
) -> Result<&'a Map<String, Value>, Refusal> {
    let root = tree.as_object().filter(|r| r.len() == 1);
    let Some((name, Value::Object(assertion))) = root.and_then(|r| r.iter().next()) else {
        return Err(Refusal::NotAssertion);
    };
    let scope = declarations(&[], assertion);
    if local(name) != "Assertion" || namespace(&scope, name) != Some(SAML) {
        return Err(Refusal::NotAssertion);
    }
    let (signature_name, signature) = child(assertion, "Signature").ok_or(Refusal::Unsigned)?;
    let signature = signature.as_object().ok_or(Refusal::Unsigned)?;
    let signature_scope = declarations(&scope, signature);
    if namespace(&signature_scope, signature_name) != Some(DSIG) {
        return Err(Refusal::Unsigned);
    }
    let (info_name, info) = child(signature, "SignedInfo").ok_or(Refusal::Unsigned)?;
    let info_map = info.as_object().ok_or(Refusal::Unsigned)?;
    let reference = element(info_map, "Reference").ok_or(Refusal::Reference)?;
    let transforms: Vec<&str> = element(reference, "Transforms")
        .and_then(|t| child(t, "Transform"))
        .map(|(_, t)| items(t).into_iter().map(algorithm).collect())
        .unwrap_or_default();
    let algorithms_ok = element(info_map, "CanonicalizationMethod").map(algorithm_of)
        == Some(EXC_C14N)
        && element(info_map, "SignatureMethod").map(algorithm_of) == Some(RSA_SHA256)
        && element(reference, "DigestMethod").map(algorithm_of) == Some(SHA256)
        && transforms == [ENVELOPED, EXC_C14N];
    if !algorithms_ok {
        return Err(Refusal::Algorithms);
    }
    let id = text(assertion.get("@_ID")).ok_or(Refusal::Reference)?;
    if text(reference.get("@_URI")) != Some(&format!("#{id}")) {
        return Err(Refusal::Reference);
    }
    // Enveloped-signature, then exclusive c14n: the assertion without its Signature.
    let mut unsigned = assertion.clone();
    unsigned.shift_remove(signature_name);
    let mut digest_input = String::new();
    canonical(name, &Value::Object(unsigned), &[], &[], &mut digest_input)?;
    let digest = BASE64.encode(Sha256::digest(digest_input.as_bytes()));
    if child(reference, "DigestValue").and_then(|(_, v)| text(Some(v))) != Some(&digest) {
        return Err(Refusal::Digest);
    }
    let mut signed_info = String::new();
    canonical(info_name, info, &signature_scope, &[], &mut signed_info)?;
    let value = child(signature, "SignatureValue")
        .and_then(|(_, v)| text(Some(v)))
        .and_then(|v| BASE64.decode(v).ok())
        .and_then(|bytes| Signature::try_from(bytes.as_slice()).ok())
        .ok_or(Refusal::Untrusted)?;
    let trusted = keys.iter().any(|pem| {
        let der_text: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let key = BASE64
            .decode(der_text)
            .ok()
            .and_then(|der| rsa::RsaPublicKey::from_public_key_der(&der).ok());
        key.is_some_and(|key| {
            VerifyingKey::<Sha256>::new(key)
                .verify(signed_info.as_bytes(), &value)
                .is_ok()
        })
    });
    if !trusted {
        return Err(Refusal::Untrusted);
    }
    Ok(assertion)
}

/// The statements the endpoint checks, once the signature holds.
fn claims(assertion: &Map<String, Value>, expected: &Expected<'_>) -> Result<(), Refusal> {
    let at = |path: &[&str]| {
        path.iter()
            .try_fold(assertion, |parent, name| element(parent, name))
    };
    let text_at = |path: &[&str], last: &str| text(child(at(path)?, last).map(|(_, v)| v));
    if text_at(&[], "Issuer") != Some(SAML_ISSUER) {
        return Err(Refusal::Issuer);
    }
    if text_at(&["Subject"], "NameID") != Some(DEMO_USER) {
        return Err(Refusal::User);
    }
    let confirmation = at(&["Subject", "SubjectConfirmation", "SubjectConfirmationData"]);
    if confirmation.and_then(|c| text(c.get("@_Recipient"))) != Some(&expected.recipient) {
        return Err(Refusal::Recipient);
    }
    let conditions = at(&["Conditions"]).ok_or(Refusal::Conditions)?;
    let time = |name: &str| text(conditions.get(name)).and_then(parse_date);
    let now = expected.now_ms;
    // The provider shares connkit's clock: no skew is allowed for.
    let started = time("@_NotBefore").is_some_and(|t| t <= now);
    let ended = time("@_NotOnOrAfter").is_none_or(|t| t <= now);
    if !started || ended {
        return Err(Refusal::Conditions);
    }
    if text_at(&["Conditions", "AudienceRestriction"], "Audience") != Some(SAML_AUDIENCE) {
        return Err(Refusal::Audience);
    }
    let api_key = at(&["AttributeStatement"])
        .and_then(|s| child(s, "Attribute"))
        .and_then(|(_, list)| {
            items(list).into_iter().find_map(|a| {
                let a = a.as_object()?;
                let value = child(a, "AttributeValue").map(|(_, v)| v);
                (text(a.get("@_Name")) == Some("api_key")).then(|| text(value))?
            })
        });
    if api_key != Some(expected.client_id) {
        return Err(Refusal::ApiKey);
    }
    Ok(())
}

/// Exclusive XML canonicalisation (without comments) of the element `name` holding `value`,
/// `scope` the namespaces its ancestors declare and `rendered` those its output ancestors
/// wrote: a namespace the element's name or attributes use is written unless an output
/// ancestor wrote it, declarations by prefix, attributes by namespace URI then local name,
/// every element with an end tag.
fn canonical(
    name: &str,
    value: &Value,
    scope: &[(String, String)],
    rendered: &[(String, String)],
    out: &mut String,
) -> Result<(), Refusal> {
    let empty = Map::new();
    let map = match value {
        Value::Object(map) => map,
        Value::String(_) => &empty,
        _ => return Err(Refusal::Uncanonical),
    };
    let scope = declarations(scope, map);
    let attributes: Vec<(&str, &str)> = map
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("@_")?, v.as_str()?)))
        .filter(|(k, _)| *k != "xmlns" && !k.starts_with("xmlns:"))
        .collect();
    let children: Vec<(&String, &Value)> = map
        .iter()
        .filter(|(k, _)| !k.starts_with("@_") && *k != "#text")
        .collect();
    let body = match value {
        Value::String(s) => Some(s.as_str()),
        _ => text(map.get("#text")),
    };
    if body.is_some_and(|t| !t.is_empty()) && !children.is_empty() {
        return Err(Refusal::Uncanonical);
    }
    let mut used: Vec<&str> = vec![prefix(name)];
    used.extend(
        attributes
            .iter()
            .map(|(k, _)| prefix(k))
            .filter(|p| !p.is_empty() && *p != "xml"),
    );
    used.sort_unstable();
    used.dedup();
    let mut rendered = rendered.to_vec();
    let mut written: Vec<(String, String)> = Vec::new();
    for p in used {
        let uri = lookup(&scope, p).unwrap_or("");
        if uri.is_empty() && !p.is_empty() {
            return Err(Refusal::Uncanonical);
        }
        let current = lookup(&rendered, p).unwrap_or("");
        if current != uri {
            written.push((p.to_owned(), uri.to_owned()));
            rendered.push((p.to_owned(), uri.to_owned()));
        }
    }
    let mut sorted: Vec<(&str, &str, &str, &str)> = attributes
        .iter()
        .map(|(k, v)| {
            let uri = match prefix(k) {
                "" => "",
                p => lookup(&scope, p).unwrap_or(""),
            };
            (uri, local(k), *k, *v)
        })
        .collect();
    sorted.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    out.push('<');
    out.push_str(name);
    for (p, uri) in &written {
        let declaration = if p.is_empty() {
            "xmlns".to_owned()
        } else {
            format!("xmlns:{p}")
        };
        escaped_attribute(out, &declaration, uri)?;
    }
    for (_, _, k, v) in sorted {
        escaped_attribute(out, k, v)?;
    }
    out.push('>');
    if let Some(t) = body {
        escaped_text(out, t)?;
    }
    for (child_name, child_value) in children {
        for item in items(child_value) {
            canonical(child_name, item, &scope, &rendered, out)?;
        }
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
    Ok(())
}

/// An attribute as canonical XML writes it.
fn escaped_attribute(out: &mut String, name: &str, value: &str) -> Result<(), Refusal> {
    if value.contains("&#") {
        return Err(Refusal::Uncanonical);
    }
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
    Ok(())
}

/// Text as canonical XML writes it.
fn escaped_text(out: &mut String, text: &str) -> Result<(), Refusal> {
    if text.contains("&#") {
        return Err(Refusal::Uncanonical);
    }
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    Ok(())
}

/// `scope` and the namespaces `element` declares.
fn declarations(scope: &[(String, String)], element: &Map<String, Value>) -> Scope {
    let mut out = scope.to_vec();
    for (key, value) in element {
        let prefix = match key.as_str() {
            "@_xmlns" => "",
            k => match k.strip_prefix("@_xmlns:") {
                Some(p) => p,
                None => continue,
            },
        };
        out.push((prefix.to_owned(), value.as_str().unwrap_or("").to_owned()));
    }
    out
}

/// The URI `prefix` is bound to in `scope`.
fn lookup<'a>(scope: &'a [(String, String)], prefix: &str) -> Option<&'a str> {
    scope
        .iter()
        .rev()
        .find(|(p, _)| p == prefix)
        .map(|(_, uri)| uri.as_str())
}

/// The namespace URI of the qualified `name`.
fn namespace<'a>(scope: &'a [(String, String)], name: &str) -> Option<&'a str> {
    lookup(scope, prefix(name))
}

fn prefix(name: &str) -> &str {
    name.split_once(':').map_or("", |(p, _)| p)
}

fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

/// The first child element of `parent` whose local name is `local_name`.
fn child<'a>(parent: &'a Map<String, Value>, local_name: &str) -> Option<(&'a String, &'a Value)> {
    parent
        .iter()
        .find(|(k, _)| !k.starts_with("@_") && *k != "#text" && local(k) == local_name)
}

/// That child when it is one element with attributes or children.
fn element<'a>(parent: &'a Map<String, Value>, local_name: &str) -> Option<&'a Map<String, Value>> {
    child(parent, local_name)?.1.as_object()
}

/// An element's text: the element itself when it is text, else its `#text`.
fn text(value: Option<&Value>) -> Option<&str> {
    match value? {
        Value::String(s) => Some(s),
        Value::Object(map) => map.get("#text")?.as_str(),
        _ => None,
    }
}

/// A child's elements: each item of a repeated name, else the one.
fn items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        one => vec![one],
    }
}

/// The `Algorithm` of a method or transform element.
fn algorithm(value: &Value) -> &str {
    value
        .get("@_Algorithm")
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn algorithm_of(element: &Map<String, Value>) -> &str {
    element
        .get("@_Algorithm")
        .and_then(Value::as_str)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use connkit_vectors::keys;

    use super::*;

    /// The assertion of the sap-success-factors renewal vector, signed by connkit with its
    /// published test RSA key (`tests/vectors/keys`).
    fn vector_assertion() -> String {
        let case = connkit_vectors::cases("modes.json")
            .into_iter()
            .find(|c| {
                c["name"]
                    .as_str()
                    .is_some_and(|n| n.starts_with("sap-success-factors: a renewal"))
            })
            .expect("the SAML renewal vector");
        let base64 = case["input"]["stored"]["assertion"].as_str().unwrap();
        String::from_utf8(BASE64.decode(base64).unwrap()).unwrap()
    }

    fn signature(xml: &str, key: &str) -> Result<(), Refusal> {
        let tree = parse_xml_as_written(xml).map_err(|_| Refusal::NotXml)?;
        signed_assertion(&tree, &[key.to_owned()]).map(|_| ())
    }

    #[test]
    fn connkits_signature_verifies_and_a_changed_document_does_not() {
        let xml = vector_assertion();
        assert_eq!(signature(&xml, keys::RSA_PUBLIC), Ok(()));
        assert_eq!(signature(&xml, keys::P256_PUBLIC), Err(Refusal::Untrusted));
        let cases = [
            (">jdoe<", ">jdon<", Refusal::Digest),
            ("Version=\"2.0\"", "Version=\"2.1\"", Refusal::Digest),
            ("URI=\"#_", "URI=\"#x_", Refusal::Reference),
            (
                "xmldsig-more#rsa-sha256",
                "xmldsig#rsa-sha1",
                Refusal::Algorithms,
            ),
            ("<Signature ", "<Other ", Refusal::Unsigned),
        ];
        for (from, to, refusal) in cases {
            let changed = xml.replacen(from, to, 1);
            let changed = match refusal {
                Refusal::Unsigned => changed.replacen("</Signature>", "</Other>", 1),
                _ => changed,
            };
            assert_ne!(changed, xml, "{from}");
            assert_eq!(
                signature(&changed, keys::RSA_PUBLIC),
                Err(refusal),
                "{from}"
            );
        }
        // A signature that verifies still names the vector's provider, not this one.
        let expected = Expected {
            recipient: "http://saml.localhost/demo/provider/saml2-bearer".to_owned(),
            client_id: "demo-client-id",
            now_ms: 1_787_392_800_000,
        };
        let verdict = verify(&xml, &[keys::RSA_PUBLIC.to_owned()], &expected);
        assert_eq!(verdict, Err(Refusal::Issuer));
    }
}

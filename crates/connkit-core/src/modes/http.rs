//! The requests a mode sends to a provider and the answers it reads, as data: the host sends
//! them and hands the answers back (spec §3.9).
//!
//! Bodies are written as Nango's HTTP clients write them: a form as `URLSearchParams` does, JSON
//! as `JSON.stringify`, XML as fast-xml-parser's builder (`xml_write.rs`), and an answer is read
//! as axios and Nango's `loggedFetch` read one (JSON when the text parses, else the text). [`axios_request`] adds axios's default headers, and
//! [`header_values`] reads an answer's headers as Nango's `extractResponseHeaderValues` does.
//!
//! Knows nothing about sockets, TLS or timeouts.

use serde_json::{Map, Value};

use super::xml_write::build_xml;
use crate::js::{json_stringify, to_js_string, url_search_params};

use crate::prelude::*;

/// `GET` or `POST`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`, no body.
    Get,
    /// `POST`.
    Post,
}

impl Method {
    /// `"GET"` or `"POST"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A TLS client certificate and its key, both PEM (OAUTH2_CC with `require_client_certificate`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    /// `-----BEGIN CERTIFICATE-----…`.
    pub certificate_pem: String,
    /// `-----BEGIN PRIVATE KEY-----…` (PKCS#8).
    pub private_key_pem: String,
}

/// One request to a provider, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The URL, as interpolated.
    pub url: String,
    /// The headers, names as the provider writes them, in order.
    pub headers: Vec<(String, String)>,
    /// The body (`None` for a GET, or a POST without one).
    pub body: Option<String>,
    /// The client certificate to present, if any.
    pub client_identity: Option<ClientIdentity>,
}

impl HttpRequest {
    /// A POST with these headers and body.
    pub(crate) fn post(
        url: String,
        headers: Vec<(String, String)>,
        body: Option<String>,
    ) -> HttpRequest {
        HttpRequest {
            method: Method::Post,
            url,
            headers,
            body,
            client_identity: None,
        }
    }

    /// The value of the header `name` (any letter case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A provider's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers, names lowercase, a repeated header once per value (`set-cookie`).
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
}

impl HttpResponse {
    /// The body as axios reads it: the JSON value when the text parses, else the text.
    pub fn data(&self) -> Value {
        if self.body.is_empty() {
            return Value::String(String::new());
        }
        serde_json::from_str(&self.body).unwrap_or_else(|_| Value::String(self.body.clone()))
    }

    /// The values of the header `name` (lowercase), in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// How a token request's parameters become its body (`body_format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyFormat {
    /// `JSON.stringify` (the default).
    Json,
    /// `URLSearchParams`, each value as `String(value)`.
    Form,
    /// fast-xml-parser's `XMLBuilder` with Nango's options (`xml_write.rs`).
    Xml,
}

impl BodyFormat {
    /// The provider's `body_format`.
    pub(crate) fn from_attribute(text: Option<&str>) -> BodyFormat {
        match text {
            Some("form") => BodyFormat::Form,
            Some("xml") => BodyFormat::Xml,
            _ => BodyFormat::Json,
        }
    }

    /// The body's text; `None` where Nango's writer throws (XML nested too deep).
    pub(crate) fn encode(self, body: &Map<String, Value>) -> Option<String> {
        match self {
            BodyFormat::Json => Some(json_stringify(&Value::Object(body.clone()))),
            BodyFormat::Form => {
                let pairs: Vec<(String, String)> = body
                    .iter()
                    .map(|(k, v)| (k.clone(), to_js_string(v)))
                    .collect();
                Some(url_search_params(
                    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                ))
            }
            BodyFormat::Xml => build_xml(body),
        }
    }
}

/// A request as axios sends it: `Accept: application/json, text/plain, */*` unless the headers
/// name one; a POST with its body, `application/x-www-form-urlencoded` unless the headers name
/// a content type (axios's type for a string body).
pub(crate) fn axios_request(
    get: bool,
    url: String,
    mut headers: Vec<(String, String)>,
    body: String,
) -> HttpRequest {
    let has = |headers: &[(String, String)], name: &str| {
        headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    if !has(&headers, "accept") {
        headers.insert(
            0,
            (
                "Accept".to_owned(),
                "application/json, text/plain, */*".to_owned(),
            ),
        );
    }
    if get {
        return HttpRequest {
            method: Method::Get,
            url,
            headers,
            body: None,
            client_identity: None,
        };
    }
    if !has(&headers, "content-type") {
        headers.push((
            "Content-Type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ));
    }
    HttpRequest::post(url, headers, Some(body))
}

/// `extractResponseHeaderValues`: each listed header's first value under its listed name;
/// `set-cookie` as one entry per cookie (`name` → `value`) and `_cookies` (`name=value; …`).
pub(crate) fn header_values(response: &HttpResponse, names: &[String]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut cookies = Vec::new();
    for name in names {
        let lower = name.to_ascii_lowercase();
        let mut values = response.header_values(&lower).filter(|v| !v.is_empty());
        if lower == "set-cookie" {
            for cookie in values {
                let pair = cookie.split(';').next().unwrap_or("");
                if let Some((key, value)) = pair.split_once('=')
                    && !key.is_empty()
                {
                    let (key, value) = (key.trim(), value.trim());
                    out.push((key.to_owned(), value.to_owned()));
                    cookies.push(format!("{key}={value}"));
                }
            }
        } else if let Some(first) = values.next() {
            out.push((name.clone(), first.to_owned()));
        }
    }
    if !cookies.is_empty() {
        out.push(("_cookies".to_owned(), cookies.join("; ")));
    }
    out
}

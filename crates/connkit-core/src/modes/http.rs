//! The requests a mode sends to a provider and the answers it reads, as data: the host sends
//! them and hands the answers back (spec §3.9).
//!
//! Bodies are written as Nango's HTTP clients write them: a form as `URLSearchParams` does, JSON
//! as `JSON.stringify`, and an answer is read as axios and Nango's `loggedFetch` read one (JSON
//! when the text parses, else the text).
//!
//! Knows nothing about sockets, TLS or timeouts.

use serde_json::Value;

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

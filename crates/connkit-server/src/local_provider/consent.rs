//! The local provider's consent step: `GET /authorize` shows who asks for what, with Approve and
//! Deny buttons in a plain form; `POST /authorize` redirects back to the client with a code or
//! with `error=access_denied`.
//!
//! An unknown client or a `redirect_uri` that is not an absolute http(s) URL gets an error page
//! and no redirect (RFC 6749 §4.1.2.1: never send the user to an unverified address); any other
//! problem is reported to the client through the redirect. The page is plain HTML, every value
//! escaped, under a Content-Security-Policy without scripts.
//!
//! A workspace whose name starts with `coop` answers its consent page with
//! `Cross-Origin-Opener-Policy: same-origin`, as the consent pages of large providers do: the
//! popup that shows it is cut off from its opener (which then reads `closed` as true while the
//! flow goes on), the case a client's closed-window detection must survive.
//!
//! Knows nothing about tokens beyond the code it issues.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderName;
use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use connkit_core::js::{encode_uri_component, form_parse};

use super::{Account, CODE_LIFETIME, Code, LocalProvider, PREFIX, tenant};
use crate::crypto::random_hex;
use crate::oauth::page::escape_html as escape;

/// What an authorization request carries.
#[derive(Debug, Default)]
struct Request {
    response_type: String,
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: String,
}

impl Request {
    fn read(text: &str) -> Request {
        let mut out = Request {
            code_challenge_method: "plain".to_owned(),
            ..Request::default()
        };
        for (name, value) in form_parse(text) {
            match name.as_str() {
                "response_type" => out.response_type = value,
                "client_id" => out.client_id = value,
                "redirect_uri" => out.redirect_uri = value,
                "scope" => out.scope = value,
                "state" => out.state = Some(value),
                "code_challenge" => out.code_challenge = Some(value),
                "code_challenge_method" => out.code_challenge_method = value,
                _ => {}
            }
        }
        out
    }

    /// The fields the consent form sends back.
    fn hidden_fields(&self) -> String {
        let mut fields = vec![
            ("response_type", self.response_type.as_str()),
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", self.redirect_uri.as_str()),
            ("scope", self.scope.as_str()),
            ("code_challenge_method", self.code_challenge_method.as_str()),
        ];
        if let Some(state) = &self.state {
            fields.push(("state", state));
        }
        if let Some(challenge) = &self.code_challenge {
            fields.push(("code_challenge", challenge));
        }
        fields
            .into_iter()
            .map(|(name, value)| {
                format!(
                    "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                    escape(value)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `redirect_uri` with `params` (and the `state`) added to its query.
    fn back(&self, params: &[(&str, &str)]) -> Response {
        let mut url = self.redirect_uri.clone();
        let mut params: Vec<(&str, &str)> = params.to_vec();
        if let Some(state) = &self.state {
            params.push(("state", state));
        }
        for (name, value) in params {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(name);
            url.push('=');
            url.push_str(&encode_uri_component(value));
        }
        match HeaderValue::from_str(&url) {
            Ok(location) => (StatusCode::FOUND, [(LOCATION, location)]).into_response(),
            Err(_) => error_page("The redirect_uri cannot be used."),
        }
    }
}

/// Problems that must not redirect: the client or its `redirect_uri`.
fn unverified(provider: &LocalProvider, request: &Request) -> Option<&'static str> {
    if !provider.knows_client(&request.client_id) {
        return Some("Unknown client_id.");
    }
    let absolute = ["http://", "https://"]
        .iter()
        .any(|scheme| request.redirect_uri.starts_with(scheme));
    if !absolute {
        return Some("The redirect_uri must be an absolute http(s) URL.");
    }
    None
}

/// `GET /authorize`: the consent page.
pub(super) async fn page(
    State(provider): State<LocalProvider>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let request = Request::read(query.as_deref().unwrap_or(""));
    if let Some(why) = unverified(&provider, &request) {
        return error_page(why);
    }
    if request.response_type != "code" {
        return request.back(&[("error", "unsupported_response_type")]);
    }
    let workspace = tenant(&headers).unwrap_or_else(|| "default".to_owned());
    let scopes: Vec<String> = request
        .scope
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(|s| format!("<li>{}</li>", escape(s)))
        .collect();
    let scopes = if scopes.is_empty() {
        "<li>basic access</li>".to_owned()
    } else {
        scopes.join("")
    };
    let body = format!(
        "<h1>Demo Tickets</h1>\n\
         <p><strong>{client}</strong> asks to connect to the <strong>{workspace}</strong> workspace.</p>\n\
         <h2 id=\"access\">It will be able to</h2>\n<ul aria-labelledby=\"access\">{scopes}</ul>\n\
         <form method=\"post\" action=\"{PREFIX}/authorize\">\n{fields}\n\
         <button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button>\n\
         <button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n</form>",
        client = escape(&request.client_id),
        workspace = escape(&workspace),
        fields = request.hidden_fields(),
    );
    let mut response = html(StatusCode::OK, "Authorize access", &body);
    if workspace.starts_with("coop") {
        response.headers_mut().insert(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        );
    }
    response
}

/// `POST /authorize`: the decision.
pub(super) async fn decide(
    State(provider): State<LocalProvider>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = String::from_utf8_lossy(&body);
    let request = Request::read(&text);
    if let Some(why) = unverified(&provider, &request) {
        return error_page(why);
    }
    let approved = form_parse(&text)
        .iter()
        .any(|(name, value)| name == "decision" && value == "approve");
    if !approved {
        return request.back(&[
            ("error", "access_denied"),
            ("error_description", "The user denied access."),
        ]);
    }
    let code = random_hex(16);
    let grant = Code {
        account: Account {
            client_id: request.client_id.clone(),
            tenant: tenant(&headers),
            scope: request.scope.clone(),
        },
        redirect_uri: request.redirect_uri.clone(),
        challenge: request
            .code_challenge
            .clone()
            .map(|c| (c, request.code_challenge_method.clone())),
        expires: Instant::now() + CODE_LIFETIME,
    };
    provider.grants().codes.insert(code.clone(), grant);
    request.back(&[("code", &code)])
}

fn error_page(why: &str) -> Response {
    let body = format!("<h1>Authorization failed</h1>\n<p>{}</p>", escape(why));
    html(StatusCode::BAD_REQUEST, "Authorization failed", &body)
}

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    );
    let mut response = (status, page).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
    );
    response
}

//! connkit's redirect mode of the OAuth flow (spec §12.27), which Nango lacks: the page itself
//! goes through the provider, and comes back to a `return_url` the operator allows, carrying
//! the id of the flow's result (never the result itself, which a crafted link could forge).
//!
//! * [`RETURN_URL_PARAM`]: the `GET /oauth/connect` query parameter naming where to return.
//! * [`RESULT_PARAM`]: the parameter the return URL gets: the id of a single-use result that
//!   the widget reads back with its session token.
//! * [`return_origin`]: an operator's allowed origin (`--oauth-return-origin`), normalised;
//!   [`url_origin`]: the origin of a URL with a path (the server's own).
//! * [`check_return_url`]: a return URL held to the allowed origins (no open redirect).
//! * [`return_url_with_result`]: the return URL with the result's id.
//!
//! URLs are read as the browser reads them (`new URL`, `js::url`): a return URL is an absolute
//! `http` or `https` URL with an ASCII host and no userinfo, whose origin is on the list,
//! compared after normalisation (`HTTP://Example.COM:80` is `http://example.com`).
//!
//! Knows nothing about sessions, the flow's storage or how the result travels.

#[cfg(feature = "oauth2")]
use super::query::{Query, Scalar};
#[cfg(feature = "oauth2")]
use crate::js::url::{
    Host, ParsedUrl, form_decode, form_serialize, origin_and_path, parse, split_href,
};
#[cfg(feature = "oauth2")]
use crate::limits::OAUTH_RETURN_URL_MAX_LEN;
#[cfg(feature = "oauth2")]
use crate::prelude::*;

/// The `GET /oauth/connect` query parameter that asks for the redirect mode.
pub const RETURN_URL_PARAM: &str = "return_url";

/// The query parameter a return URL receives: the id of the flow's result.
pub const RESULT_PARAM: &str = "connkit_oauth_result";

/// The connect query's return URL, when it is one non-empty string (not checked: see
/// [`check_return_url`]).
#[cfg(feature = "oauth2")]
pub fn oauth_return_url(query: &Query) -> Option<String> {
    match query.scalar(RETURN_URL_PARAM) {
        Scalar::Str(url) if !url.is_empty() => Some(url),
        _ => None,
    }
}

/// An allowed origin as an operator writes it (`https://app.example.com`, a trailing `/`
/// allowed), normalised as `new URL(text).origin` writes it; `None` for anything else (a path,
/// a query, a fragment, userinfo, another scheme, a non-ASCII host).
#[cfg(feature = "oauth2")]
pub fn return_origin(text: &str) -> Option<String> {
    let (origin, href) = http_origin(text)?;
    (href == format!("{origin}/")).then_some(origin)
}

/// The origin of an http(s) URL with an ASCII host and no userinfo, whatever its path (a
/// server's own public URL, whose origin demo mode allows); `None` for any other text.
#[cfg(feature = "oauth2")]
pub fn url_origin(url: &str) -> Option<String> {
    http_origin(url).map(|(origin, _)| origin)
}

/// The return URL to redirect to (`new URL(url).href`) when `url` is an absolute http(s) URL
/// with an ASCII host, no userinfo, at most [`OAUTH_RETURN_URL_MAX_LEN`] bytes, whose origin is
/// one of `allowed` (normalised by [`return_origin`]); `None` otherwise.
#[cfg(feature = "oauth2")]
pub fn check_return_url(url: &str, allowed: &[String]) -> Option<String> {
    if url.len() > OAUTH_RETURN_URL_MAX_LEN {
        return None;
    }
    let (origin, href) = http_origin(url)?;
    allowed.contains(&origin).then_some(href)
}

/// `href` (a checked return URL) with [`RESULT_PARAM`]` = id` as its last query parameter; any
/// earlier [`RESULT_PARAM`] is dropped, the other parameters and the fragment stay as written.
#[cfg(feature = "oauth2")]
pub fn return_url_with_result(href: &str, id: &str) -> String {
    let (base, query, fragment) = split_href(href);
    let mut pieces: Vec<&str> = query
        .unwrap_or("")
        .split('&')
        .filter(|piece| !piece.is_empty())
        .filter(|piece| {
            let name = piece.split_once('=').map_or(*piece, |(name, _)| name);
            form_decode(name) != RESULT_PARAM
        })
        .collect();
    let added = form_serialize([(RESULT_PARAM, id)]);
    pieces.push(&added);
    let mut out = format!("{base}?{}", pieces.join("&"));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// `(origin, href)` of an absolute http(s) URL with an ASCII host and no userinfo.
#[cfg(feature = "oauth2")]
fn http_origin(text: &str) -> Option<(String, String)> {
    let ParsedUrl::Special(url) = parse(text)? else {
        return None;
    };
    if !matches!(url.scheme.as_str(), "http" | "https") || !matches!(url.host, Host::Ascii(_)) {
        return None;
    }
    // The href's authority runs from `scheme://` to the path's `/`; `@` in it is userinfo,
    // which `origin_and_path` leaves out of the origin.
    let authority = url.href.get(url.scheme.len() + 3..)?.split('/').next()?;
    if authority.contains('@') {
        return None;
    }
    let (origin, _) = origin_and_path(&url.href)?;
    Some((origin, url.href))
}

#[cfg(all(test, feature = "oauth2"))]
mod tests {
    use super::*;

    #[test]
    fn the_connect_query_names_its_return_url() {
        let read = |q: &str| oauth_return_url(&Query::parse(Some(q)));
        assert_eq!(
            read("return_url=http%3A%2F%2Fa.test%2Fx").as_deref(),
            Some("http://a.test/x")
        );
        assert_eq!(read("return_url="), None);
        assert_eq!(read("return_url[a]=x"), None);
        assert_eq!(read("return_url=a&return_url=b"), None);
    }

    #[test]
    fn the_origin_of_a_public_url() {
        assert_eq!(
            url_origin("HTTP://Example.com:80/base/").as_deref(),
            Some("http://example.com")
        );
        assert_eq!(url_origin("http://u@example.com/"), None);
        assert_eq!(url_origin("ws://example.com/"), None);
    }
}

//! The query of a URL as JavaScript edits it: `URLSearchParams` (the
//! `application/x-www-form-urlencoded` parser and serialiser of the URL Standard), the `search`
//! setter of a URL with a special scheme, and the pieces of an `href` (`origin`, `pathname`,
//! query, fragment).
//!
//! Knows nothing about OAuth or which parameters a URL carries.

use super::{encode_into, in_special_query_set};
use crate::js::push_percent_escape;
use crate::prelude::*;

/// An `href` cut at its first `?` and `#`: the text before the query, the query (without
/// `?`) and the fragment (without `#`).
pub(crate) fn split_href(href: &str) -> (&str, Option<&str>, Option<&str>) {
    let (before_fragment, fragment) = match href.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (href, None),
    };
    match before_fragment.split_once('?') {
        Some((base, query)) => (base, Some(query), fragment),
        None => (before_fragment, None, fragment),
    }
}

/// `url.origin` and `url.pathname` of the `href` of a URL with a special scheme (the userinfo
/// is not part of the origin); `None` for text that is not such an `href`.
pub(crate) fn origin_and_path(href: &str) -> Option<(String, &str)> {
    let (base, _, _) = split_href(href);
    let scheme_end = base.find("://")? + 3;
    let after = base.get(scheme_end..)?;
    let path_at = after.find('/').unwrap_or(after.len());
    let authority = after.get(..path_at)?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let origin = format!("{}{host_port}", base.get(..scheme_end)?);
    Some((origin, after.get(path_at..)?))
}

/// `new URLSearchParams(pairs).toString()`: each name and value form-urlencoded (ASCII letters,
/// digits and `*-._` kept, space as `+`, everything else `%XX` of its UTF-8 bytes), joined by
/// `&`.
pub(crate) fn form_serialize<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        form_encode_into(name, &mut out);
        out.push('=');
        form_encode_into(value, &mut out);
    }
    out
}

fn form_encode_into(text: &str, out: &mut String) {
    for byte in text.bytes() {
        match byte {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"*-._".contains(&b) => out.push(char::from(b)),
            b => push_percent_escape(out, b),
        }
    }
}

/// `new URLSearchParams(query)`'s list: the text split at `&`, empty pieces skipped, each split
/// at its first `=`, `+` read as a space and `%XX` escapes decoded (invalid UTF-8 becomes U+FFFD).
pub fn form_parse(query: &str) -> Vec<(String, String)> {
    let query = query.strip_prefix('?').unwrap_or(query);
    query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
            (form_decode(name), form_decode(value))
        })
        .collect()
}

/// One name or value of an `application/x-www-form-urlencoded` text, decoded: `+` is a space,
/// `%XX` escapes are bytes, invalid UTF-8 becomes U+FFFD.
pub fn form_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut idx = 0;
    while let Some(&byte) = bytes.get(idx) {
        let hex = |at: usize| bytes.get(at).and_then(|b| char::from(*b).to_digit(16));
        match (byte, hex(idx + 1), hex(idx + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or(0));
                idx += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                idx += 1;
            }
            (other, _, _) => {
                out.push(other);
                idx += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What `url.search = text` stores for a URL with a special scheme: one leading `?` dropped,
/// then the special-query percent-encode set applied (controls, space, `"`, `#`, `<`, `>`, `'`
/// and non-ASCII become `%XX`). Empty means the URL has no query.
pub(crate) fn encode_search(text: &str) -> String {
    let text = text.strip_prefix('?').unwrap_or(text);
    let mut out = String::with_capacity(text.len());
    encode_into(text, &mut out, in_special_query_set);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_params_serialise_like_javascript() {
        // Node 20: `u.searchParams.set("scope", "a b~*cé!'()")`.
        assert_eq!(
            form_serialize([("scope", "a b~*c\u{e9}!'()"), ("x", "true")]),
            "scope=a+b%7E*c%C3%A9%21%27%28%29&x=true"
        );
        assert_eq!(
            form_parse("?a=1&&b=x+y%20z&c&d=%zz&e=%C3"),
            [
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "x y z".to_owned()),
                ("c".to_owned(), String::new()),
                ("d".to_owned(), "%zz".to_owned()),
                ("e".to_owned(), "\u{fffd}".to_owned()),
            ]
        );
        // Node 20: `v.search = "a=1&scope=a b,c:d/'\"<>#é"`.
        assert_eq!(
            encode_search("a=1&scope=a b,c:d/'\"<>#\u{e9}"),
            "a=1&scope=a%20b,c:d/%27%22%3C%3E%23%C3%A9"
        );
    }

    #[test]
    fn hrefs_split_into_origin_path_query_and_fragment() {
        assert_eq!(
            split_href("https://h.io/p?q=1#f?g"),
            ("https://h.io/p", Some("q=1"), Some("f?g"))
        );
        assert_eq!(
            origin_and_path("https://u:p@h.io:8443/a/b?q#f"),
            Some(("https://h.io:8443".to_owned(), "/a/b"))
        );
        assert_eq!(origin_and_path("nope"), None);
    }
}

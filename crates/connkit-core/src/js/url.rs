//! JavaScript's `new URL(s)`: WHATWG URL parsing and `href` serialisation for the special schemes
//! `http`, `https`, `ws`, `wss` and `ftp` (what zod 4.0.5's `z.url()` does with `new URL()`, for
//! `webhook_url_override`), written without the `url` crate.
//!
//! Implemented as the URL Standard describes (and checked against Node 20's `URL`): trimming of
//! leading/trailing C0 controls and spaces, removal of tabs and newlines, any number of `/` or
//! `\` after the scheme, userinfo (split at the last `@`, percent-encoded), host
//! percent-decoding and ASCII lowercasing, forbidden host code points, IPv4 in all its forms
//! (`0x7f.1` → `127.0.0.1`), IPv6 (compressed serialisation), ports (default port dropped),
//! `.`/`..` segments (also `%2e`), and the path / query / fragment percent-encode sets. Hosts
//! are parsed in `url/host.rs`; `url/can_parse.rs` answers `URL.canParse` for every scheme;
//! `url/search.rs` is `URLSearchParams` and the pieces of an `href`.
//!
//! Not implemented: IDNA (UTS 46). A host with non-ASCII characters is reported as
//! [`Host::NonAscii`] so callers can decide (connkit rejects it, asking for the `xn--` form;
//! Node would convert it); `xn--` labels must hold valid Punycode, the rest of UTS 46's validity
//! rules is not checked. Other schemes are left to [`url_can_parse`], which uses the same host
//! parser.
//! Knows nothing about sessions, fields or zod.

mod can_parse;
mod host;
// `URLSearchParams` is only needed to build OAuth URLs.
#[cfg(feature = "oauth2")]
mod search;

pub use can_parse::url_can_parse;
use host::parse_host;
#[cfg(feature = "oauth2")]
pub(crate) use search::{encode_search, form_serialize, origin_and_path, split_href};
#[cfg(feature = "oauth2")]
pub use search::{form_decode, form_parse};

use super::{push_decimal, push_percent_escape};

use crate::prelude::*;

/// What the host of a URL turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    /// An ASCII domain or IP address, serialised as `new URL().hostname` would.
    Ascii(String),
    /// A host with non-ASCII characters after percent-decoding (not converted; lowercased as far as
    /// its ASCII goes, [`crate::js::js_to_lower_case_ascii_view`]).
    NonAscii(String),
}

/// A parsed URL with a special scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpecialUrl {
    /// The lowercase scheme, without `:`.
    pub(crate) scheme: String,
    /// The host.
    pub(crate) host: Host,
    /// `new URL(input).href` (exact when the host is ASCII).
    pub(crate) href: String,
}

/// The outcome of `new URL(input)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParsedUrl {
    /// `http`, `https`, `ws`, `wss` or `ftp`.
    Special(SpecialUrl),
    /// Another scheme that [`url_can_parse`] accepts, with its hostname as given
    /// in `scheme://host` (empty if none).
    Other { hostname: String },
}

/// `new URL(input)`; `None` when it would throw.
pub(crate) fn parse(input: &str) -> Option<ParsedUrl> {
    let (scheme, rest) = scheme_and_rest(input)?;
    let rest = rest.as_str();
    let default_port = match scheme.as_str() {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    };
    match default_port {
        Some(port) => parse_special(scheme, port, rest).map(ParsedUrl::Special),
        None if scheme == "file" => file_host(rest).map(|hostname| ParsedUrl::Other { hostname }),
        None if can_parse::rest_parses(&scheme, rest) => {
            let hostname = rest
                .strip_prefix("//")
                .map(|after| {
                    let authority = after.split(['/', '?', '#']).next().unwrap_or("");
                    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
                    strip_port(host_port).to_owned()
                })
                .unwrap_or_default();
            Some(ParsedUrl::Other { hostname })
        }
        None => None,
    }
}

/// `input` as `new URL` first reads it: C0 controls and spaces trimmed from both ends, tabs and
/// newlines removed, then split at the first `:` into the scheme (lowercased) and the rest.
/// `None` without a `:` or when the scheme is not `[a-zA-Z][a-zA-Z0-9+.-]*`.
fn scheme_and_rest(input: &str) -> Option<(String, String)> {
    let trimmed = input.trim_matches(|c: char| c <= ' ');
    let mut scheme: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let colon = scheme.find(':')?;
    let rest = scheme.split_off(colon + 1);
    scheme.truncate(colon);
    let mut chars = scheme.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    scheme.make_ascii_lowercase();
    Some((scheme, rest))
}

/// The hostname of a `file:` URL (`""` when it has none); `None` when the host is invalid.
/// Two leading slashes (either kind) introduce a host, which runs to the next `/`, `\`, `?` or
/// `#` and is parsed as a domain (no userinfo, no port); a Windows drive letter is no host.
fn file_host(rest: &str) -> Option<String> {
    let mut chars = rest.chars();
    let two_slashes =
        matches!(chars.next(), Some('/' | '\\')) && matches!(chars.next(), Some('/' | '\\'));
    if !two_slashes {
        return Some(String::new());
    }
    let after = rest.get(2..)?;
    let host = after.split(['/', '\\', '?', '#']).next().unwrap_or("");
    let b = host.as_bytes();
    let drive = b.len() == 2
        && b.first().is_some_and(u8::is_ascii_alphabetic)
        && matches!(b.get(1), Some(b':' | b'|'));
    if host.is_empty() || drive {
        return Some(String::new());
    }
    match parse_host(host)? {
        Host::Ascii(h) if h == "localhost" => Some(String::new()),
        Host::Ascii(h) | Host::NonAscii(h) => Some(h),
    }
}

/// `host[:port]` → `host` (brackets kept for IPv6).
fn strip_port(host_port: &str) -> &str {
    if host_port.starts_with('[') {
        return match host_port.find(']') {
            Some(end) => host_port.get(..=end).unwrap_or(host_port),
            None => host_port,
        };
    }
    host_port.split(':').next().unwrap_or(host_port)
}

fn parse_special(scheme: String, default_port: u16, rest: &str) -> Option<SpecialUrl> {
    let after = rest.trim_start_matches(['/', '\\']);
    let end = after.find(['/', '\\', '?', '#']).unwrap_or(after.len());
    let (authority, tail) = (after.get(..end)?, after.get(end..)?);
    let (userinfo, host_port) = match authority.rfind('@') {
        Some(at) => (Some(authority.get(..at)?), authority.get(at + 1..)?),
        None => (None, authority),
    };
    let (raw_host, raw_port) = split_host_port(host_port);
    if raw_host.is_empty() {
        return None;
    }
    let host = parse_host(raw_host)?;
    let port = match raw_port {
        None | Some("") => None,
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => {
            let trimmed = p.trim_start_matches('0');
            if trimmed.len() > 5 {
                return None;
            }
            // At most five ASCII digits: no overflow.
            let n = trimmed
                .bytes()
                .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
            if n > 65535 {
                return None;
            }
            Some(n as u16).filter(|n| *n != default_port)
        }
        Some(_) => return None,
    };
    let mut href = scheme.clone();
    href.push_str("://");
    if let Some(info) = userinfo {
        let (user, pass) = match info.split_once(':') {
            Some((u, p)) => (u, Some(p)),
            None => (info, None),
        };
        let mut creds = String::new();
        // Earlier `@`s belong to the credentials and are encoded by the userinfo set.
        encode_into(user, &mut creds, in_userinfo_set);
        if let Some(pass) = pass.filter(|p| !p.is_empty()) {
            creds.push(':');
            encode_into(pass, &mut creds, in_userinfo_set);
        }
        if !creds.is_empty() {
            href.push_str(&creds);
            href.push('@');
        }
    }
    let hostname = match &host {
        Host::Ascii(h) | Host::NonAscii(h) => h.clone(),
    };
    href.push_str(&hostname);
    if let Some(port) = port {
        href.push(':');
        push_decimal(&mut href, u64::from(port));
    }
    serialise_tail(tail, &mut href);
    Some(SpecialUrl { scheme, host, href })
}

/// Splits at the first `:` outside `[…]`.
fn split_host_port(host_port: &str) -> (&str, Option<&str>) {
    let mut inside = false;
    for (i, c) in host_port.char_indices() {
        match c {
            '[' => inside = true,
            ']' => inside = false,
            ':' if !inside => {
                return (host_port.get(..i).unwrap_or(""), host_port.get(i + 1..));
            }
            _ => {}
        }
    }
    (host_port, None)
}

/// Path, query and fragment of a special URL, normalised and percent-encoded.
fn serialise_tail(tail: &str, href: &mut String) {
    let (before_fragment, fragment) = match tail.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (tail, None),
    };
    let (path, query) = match before_fragment.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (before_fragment, None),
    };
    let mut segments: Vec<String> = Vec::new();
    let raw: Vec<&str> = path.split(['/', '\\']).skip(1).collect();
    let count = raw.len();
    for (i, seg) in raw.into_iter().enumerate() {
        let last = i + 1 == count;
        let lower = seg.to_ascii_lowercase();
        if matches!(lower.as_str(), ".." | ".%2e" | "%2e." | "%2e%2e") {
            segments.pop();
            if last {
                segments.push(String::new());
            }
        } else if matches!(lower.as_str(), "." | "%2e") {
            if last {
                segments.push(String::new());
            }
        } else {
            let mut enc = String::new();
            encode_into(seg, &mut enc, in_path_set);
            segments.push(enc);
        }
    }
    if segments.is_empty() {
        segments.push(String::new());
    }
    for seg in &segments {
        href.push('/');
        href.push_str(seg);
    }
    if let Some(q) = query {
        href.push('?');
        encode_into(q, href, in_special_query_set);
    }
    if let Some(f) = fragment {
        href.push('#');
        encode_into(f, href, in_fragment_set);
    }
}

fn encode_into(s: &str, out: &mut String, in_set: fn(char) -> bool) {
    let mut buf = [0u8; 4];
    for c in s.chars() {
        if !(' '..='\u{7e}').contains(&c) || in_set(c) {
            for &b in c.encode_utf8(&mut buf).as_bytes() {
                push_percent_escape(out, b);
            }
        } else {
            out.push(c);
        }
    }
}

fn in_fragment_set(c: char) -> bool {
    matches!(c, ' ' | '"' | '<' | '>' | '`')
}

fn in_special_query_set(c: char) -> bool {
    matches!(c, ' ' | '"' | '#' | '<' | '>' | '\'')
}

fn in_path_set(c: char) -> bool {
    matches!(c, ' ' | '"' | '#' | '<' | '>' | '?' | '`' | '{' | '}')
}

fn in_userinfo_set(c: char) -> bool {
    in_path_set(c)
        || matches!(
            c,
            '/' | ':' | ';' | '=' | '@' | '[' | '\\' | ']' | '^' | '|'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn href(input: &str) -> Option<String> {
        match parse(input)? {
            ParsedUrl::Special(u) => Some(u.href),
            ParsedUrl::Other { .. } => None,
        }
    }

    #[test]
    fn normalises_like_node() {
        assert_eq!(
            href("HTTPS://Example.COM:443/a/../b?x#y").as_deref(),
            Some("https://example.com/b?x#y")
        );
        assert_eq!(
            href(" http:\\\\u@p@a.com:0080\\x ").as_deref(),
            Some("http://u%40p@a.com/x")
        );
        assert_eq!(
            href("http://a.com/a b\"`{}|?q='<>#f`").as_deref(),
            Some("http://a.com/a%20b%22%60%7B%7D|?q=%27%3C%3E#f%60")
        );
        assert_eq!(
            href("http://a.com/%2e/b/%2E%2e/c").as_deref(),
            Some("http://a.com/c")
        );
        assert_eq!(href("http://0x7f.1").as_deref(), Some("http://127.0.0.1/"));
        assert_eq!(
            href("http://[1:0:0:4:0:0:0:8]").as_deref(),
            Some("http://[1:0:0:4::8]/")
        );
        assert_eq!(
            href("http://[::FFFF:1.2.3.4]:80/").as_deref(),
            Some("http://[::ffff:102:304]/")
        );
        assert_eq!(
            href("http://xn--mnchen-3ya.de").as_deref(),
            Some("http://xn--mnchen-3ya.de/")
        );
    }

    #[test]
    fn rejects_what_node_rejects() {
        for bad in [
            "a.com",
            "http://",
            "http://a b.com",
            "http://a%zz.com",
            "http://1.2.3.4.5",
            "http://09.1",
            "http://a.09",
            "http://0.0.0.256",
            "http://[1::2::3]",
            "http://a.com:99999",
            "http://a.com:8a",
            "http://u@",
            "http://xn--abc.com",
            "http://xn--",
            "1http://a.com",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert!(matches!(
            parse("mailto:x@y.z"),
            Some(ParsedUrl::Other { .. })
        ));
        assert!(
            matches!(parse("file://NANGO.dev/x"), Some(ParsedUrl::Other { hostname }) if hostname == "nango.dev")
        );
    }

    #[test]
    fn non_ascii_hosts_are_flagged() {
        let Some(ParsedUrl::Special(u)) = parse("https://Bücher.example/") else {
            panic!("expected a special URL");
        };
        assert_eq!(u.host, Host::NonAscii("bücher.example".to_owned()));
    }
}

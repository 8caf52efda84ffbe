//! JavaScript's `URL.canParse(s)`: whether `new URL(s)` succeeds, for every scheme, without
//! building the URL. Its authority checks share the host parser (`host.rs`) and the scheme
//! reading (`url.rs`) with the full parser, which serialises only the special schemes.
//!
//! Knows nothing about fields, forms or zod; `format: uri` fields and URL interpolation ask it.

use super::host::parse_host;
use super::{Host, scheme_and_rest};

/// JavaScript's `URL.canParse(s)`: whether WHATWG `new URL(s)` (no base) would succeed.
///
/// Checked: leading/trailing C0-or-space trimming and tab/newline removal, the scheme
/// (`^[a-zA-Z][a-zA-Z0-9+.-]*:`), a non-empty host for `http(s)`, `ws(s)` and `ftp`, read by the
/// WHATWG host parser (`host.rs`: percent-decoding, forbidden host code points, IPv4 forms, so
/// that a host ending in a number must be a valid IPv4 address and `1.2.3.256` fails, IPv6
/// literals, the Punycode of `xn--` labels), the port (digits, at most 65535, none without a
/// host). Not checked: IDNA/UTS 46 mapping (non-ASCII hosts are accepted unless they hold white
/// space or controls; a Punycode label that decodes to something UTS 46 forbids, such as
/// `xn--a-ecp`, passes here and fails in Node) and Windows drive letters as `file:` hosts
/// (`file://C:/x` fails here, Node accepts it). `cargo xtask diff` compares the verdicts with
/// Node's `new URL`. zod also replaces the value with the normalised `href`; connkit keeps the
/// value as typed.
pub fn url_can_parse(s: &str) -> bool {
    scheme_and_rest(s).is_some_and(|(scheme, rest)| rest_parses(&scheme, &rest))
}

/// What follows `scheme:` in a URL `new URL` accepts (`scheme` lowercase and valid).
pub(super) fn rest_parses(scheme: &str, rest: &str) -> bool {
    match scheme {
        "http" | "https" | "ws" | "wss" | "ftp" => {
            let after = rest.trim_start_matches(['/', '\\']);
            let authority = after.split(['/', '\\', '?', '#']).next().unwrap_or("");
            authority_ok(authority, true)
        }
        "file" => match rest
            .strip_prefix("//")
            .or_else(|| rest.strip_prefix("\\\\"))
            .or_else(|| rest.strip_prefix("/\\"))
            .or_else(|| rest.strip_prefix("\\/"))
        {
            Some(after) => {
                let host = after.split(['/', '\\', '?', '#']).next().unwrap_or("");
                host.is_empty() || host_ok(host, true)
            }
            None => true,
        },
        _ => match rest.strip_prefix("//") {
            Some(after) => {
                let authority = after.split(['/', '?', '#']).next().unwrap_or("");
                authority.is_empty() || authority_ok(authority, false)
            }
            None => true,
        },
    }
}

/// `[userinfo@]host[:port]`; `special` hosts must be non-empty domains or IP addresses.
fn authority_ok(authority: &str, special: bool) -> bool {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = if host_port.starts_with('[') {
        let Some((inside, after)) = host_port.split_once(']') else {
            return false;
        };
        // The host keeps its brackets (`]` is one byte, so this never falls back).
        let host = host_port.get(..=inside.len()).unwrap_or(inside);
        match after.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if after.is_empty() => (host, None),
            None => return false,
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    if let Some(port) = port
        && (!port.bytes().all(|b| b.is_ascii_digit())
            || port.parse::<u64>().is_ok_and(|n| n > 65535)
            || port.len() > 20)
    {
        return false;
    }
    if host.is_empty() {
        // Only a non-special URL may have an empty host, and then no credentials or port.
        return !special && port.is_none() && !authority.contains('@');
    }
    host_ok(host, special)
}

fn host_ok(host: &str, special: bool) -> bool {
    if host.starts_with('[') || special {
        // One WHATWG host parser for the crate (`host.rs`): IPv4 forms, IPv6, percent-decoding,
        // forbidden code points. Non-ASCII hosts are accepted unless they hold white space
        // (IDNA is not modelled; Unicode white space maps to a forbidden space under UTS 46).
        return match parse_host(host) {
            Some(Host::Ascii(_)) => true,
            Some(Host::NonAscii(decoded)) => {
                !decoded.chars().any(|c| c.is_control() || c.is_whitespace())
            }
            None => false,
        };
    }
    // An opaque host (non-special scheme): only the forbidden host code points.
    !host.chars().any(|c| {
        matches!(
            c,
            '\0' | '\t'
                | '\n'
                | '\r'
                | ' '
                | '#'
                | '/'
                | ':'
                | '<'
                | '>'
                | '?'
                | '@'
                | '['
                | '\\'
                | ']'
                | '^'
                | '|'
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_like_whatwg() {
        for ok in [
            "https://example.com",
            "http://localhost:8080/x?y#z",
            " https://a.b ",
            "https:example.com",
            "https:\\\\a.b",
            "mailto:a@b.c",
            "a:",
            "foo://",
            "file:///etc/passwd",
            "http://1.2.3.4",
            "http://999",
            "http://0x7f.1",
            "http://[::1]:80/",
            "https://user:pw@h.io",
            "https://münchen.de",
            "http://a.b.",
            "https://h:/",
            "ht\ttp://x.y",
            "http://a%41.com",
            "HTTPS://X.IO",
            "javascript:alert(1)",
            "http://[1:2:3:4:5:6:7:8]",
            "http://[::ffff:1.2.3.4]",
            "http://[::]",
            "http://[1::]",
        ] {
            assert!(url_can_parse(ok), "{ok:?}");
        }
        for bad in [
            "",
            "example.com",
            "://x",
            "1http://x",
            "http://",
            "https://",
            "http://a b.com",
            "http://x:65536",
            "http://x:8o",
            "http://1.2.3.256",
            "http://example.123",
            "http://a.1.2.3.4",
            "http://[::1",
            "http://a<b",
            "foo://a b",
            "http://@/",
            "file://h:80/",
            "http://%zz.com",
            "ht tp://x",
            "http://1.2.3.4.5",
        ] {
            assert!(!url_can_parse(bad), "{bad:?}");
        }
    }
}

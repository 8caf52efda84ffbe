//! The string formats a field schema can name (spec §4.3): `hostname` (Connect UI's own regex),
//! `uuid` (zod 4.0.5) and `uri` (zod 4.0.5's `url()`, i.e. whatever WHATWG `new URL` accepts).
//! `email` lives in `crate::email`.
//!
//! Knows nothing about fields or forms.

/// `^[a-zA-Z0-9.-]+$`, Connect UI's `format: hostname` check.
pub fn is_valid_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
}

/// zod 4.0.5's `uuid()`: `^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000)$`.
pub fn is_valid_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 36 {
        return false;
    }
    let shape = b.iter().enumerate().all(|(i, c)| {
        if matches!(i, 8 | 13 | 18 | 23) {
            *c == b'-'
        } else {
            c.is_ascii_hexdigit()
        }
    });
    shape
        && (s == "00000000-0000-0000-0000-000000000000"
            || (matches!(b.get(14), Some(b'1'..=b'8'))
                && matches!(b.get(19), Some(b'8' | b'9' | b'a' | b'b' | b'A' | b'B'))))
}

/// Whether WHATWG `new URL(s)` (no base) would succeed, without the `url` crate.
///
/// Checked: leading/trailing C0-or-space trimming and tab/newline removal, the scheme
/// (`^[a-zA-Z][a-zA-Z0-9+.-]*:`), a non-empty host for `http(s)`, `ws(s)` and `ftp`, forbidden
/// host code points, IPv4 forms (a host ending in a number must be a valid IPv4 address, e.g.
/// `1.2.3.256` fails), IPv6 literals, the port (digits, at most 65535, none without a host).
/// Not checked: IDNA/UTS 46 beyond white space (non-ASCII hosts are accepted, `xn--` labels are
/// not decoded, so `http://xn--a.com` passes here and fails in Node) and percent-decoding of
/// hosts (`%` followed by two hex digits is accepted). Compared with Node 20's `URL` on 20,000
/// generated inputs, `xn--` labels were the only difference. zod also replaces the value with
/// the normalised `href`; connkit keeps the value as typed.
pub fn is_valid_url(s: &str) -> bool {
    let trimmed = s.trim_matches(|c: char| c <= ' ');
    let cleaned: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let Some((scheme, rest)) = cleaned.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return false;
    }
    match scheme.to_ascii_lowercase().as_str() {
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
        let Some(end) = host_port.find(']') else {
            return false;
        };
        let (host, after) = host_port.split_at(end + 1);
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
    use crate::url::{Host, parse_host};
    if host.starts_with('[') || special {
        // One WHATWG host parser for the crate (`crate::url`): IPv4 forms, IPv6, percent-decoding,
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
    fn hostnames() {
        assert!(is_valid_hostname("acme.my.salesforce.com") && is_valid_hostname("-.-"));
        assert!(
            !is_valid_hostname("")
                && !is_valid_hostname("https://x")
                && !is_valid_hostname("a_b")
                && !is_valid_hostname("é")
        );
    }

    #[test]
    fn uuids_follow_zod() {
        assert!(is_valid_uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(is_valid_uuid("00000000-0000-0000-0000-000000000000"));
        assert!(is_valid_uuid("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"));
        assert!(!is_valid_uuid("123e4567-e89b-02d3-a456-426614174000")); // version 0
        assert!(!is_valid_uuid("123e4567-e89b-92d3-a456-426614174000")); // version 9
        assert!(!is_valid_uuid("123e4567-e89b-12d3-c456-426614174000")); // variant c
        assert!(!is_valid_uuid("ffffffff-ffff-ffff-ffff-ffffffffffff"));
        assert!(!is_valid_uuid("123e4567e89b12d3a456426614174000"));
        assert!(!is_valid_uuid("123e4567-e89b-12d3-a456-42661417400g"));
        assert!(!is_valid_uuid("123e4567-e89b-12d3-a456-4266141740000"));
    }

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
            assert!(is_valid_url(ok), "{ok:?}");
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
            assert!(!is_valid_url(bad), "{bad:?}");
        }
    }
}

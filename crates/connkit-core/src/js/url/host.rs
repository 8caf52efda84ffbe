//! WHATWG URL host parsing for special schemes (and `file:`): percent-decoding, ASCII
//! lowercasing, forbidden code points, IPv4 in all its forms, IPv6 with compressed
//! serialisation, and a Punycode check of `xn--` labels. Checked against Node 20's `URL`.
//!
//! No IDNA (UTS 46) mapping: non-ASCII hosts come back as [`Host::NonAscii`]. Knows nothing
//! about the rest of a URL.

use core::net::{Ipv4Addr, Ipv6Addr};

use super::Host;
use crate::js::{js_to_lower_case_ascii_view, push_decimal};
use crate::prelude::*;

/// The host parser for special schemes.
pub(crate) fn parse_host(raw: &str) -> Option<Host> {
    if let Some(inner) = raw.strip_prefix('[') {
        let inner = inner.strip_suffix(']')?;
        let addr = parse_ipv6(inner)?;
        let mut out = String::from("[");
        serialise_ipv6(addr, &mut out);
        out.push(']');
        return Some(Host::Ascii(out));
    }
    let bytes = percent_decode_bytes(raw);
    let decoded = String::from_utf8(bytes).ok()?;
    if !decoded.is_ascii() {
        // What callers ask of a non-ASCII host reads only its ASCII (see the function).
        let lower = js_to_lower_case_ascii_view(&decoded);
        return forbidden_free(&lower).then_some(Host::NonAscii(lower));
    }
    let lower = decoded.to_ascii_lowercase();
    if !forbidden_free(&lower) || !lower.split('.').all(punycode_label_ok) {
        return None;
    }
    if ends_in_number(&lower) {
        return parse_ipv4(&lower).map(|ip| Host::Ascii(serialise_ipv4(ip)));
    }
    Some(Host::Ascii(lower))
}

/// An `xn--` label must hold valid Punycode that decodes to a non-empty label without control
/// characters or upper-case letters (the rest of UTS 46's validity table is not modelled, so
/// e.g. `xn--a-ecp`, which decodes to `a⒈`, passes here and fails in Node).
fn punycode_label_ok(label: &str) -> bool {
    let Some(encoded) = label.strip_prefix("xn--") else {
        return true;
    };
    match punycode_decode(encoded) {
        Some(chars) => {
            !chars.is_empty() && chars.iter().all(|c| !c.is_control() && !c.is_uppercase())
        }
        None => false,
    }
}

/// RFC 3492 decoding; `None` on any error.
fn punycode_decode(input: &str) -> Option<Vec<char>> {
    const BASE: u32 = 36;
    let (basic, rest) = match input.rfind('-') {
        Some(pos) => (input.get(..pos)?, input.get(pos + 1..)?),
        None => ("", input),
    };
    if !basic.is_ascii() {
        return None;
    }
    let mut output: Vec<char> = basic.chars().collect();
    let (mut n, mut i, mut bias) = (128u32, 0u32, 72u32);
    let mut digits = rest.bytes().peekable();
    while digits.peek().is_some() {
        let old_i = i;
        let mut w = 1u32;
        let mut k = BASE;
        loop {
            let digit = match digits.next()? {
                c @ b'a'..=b'z' => u32::from(c - b'a'),
                c @ b'A'..=b'Z' => u32::from(c - b'A'),
                c @ b'0'..=b'9' => u32::from(c - b'0') + 26,
                _ => return None,
            };
            i = i.checked_add(digit.checked_mul(w)?)?;
            let t = if k <= bias {
                1
            } else if k >= bias + 26 {
                26
            } else {
                k - bias
            };
            if digit < t {
                break;
            }
            w = w.checked_mul(BASE - t)?;
            k += BASE;
        }
        let len = u32::try_from(output.len()).ok()? + 1;
        bias = adapt(i - old_i, len, old_i == 0);
        n = n.checked_add(i / len)?;
        i %= len;
        output.insert(usize::try_from(i).ok()?, char::from_u32(n)?);
        i += 1;
    }
    Some(output)
}

fn adapt(delta: u32, points: u32, first: bool) -> u32 {
    let mut delta = if first { delta / 700 } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > 35 * 26 / 2 {
        delta /= 35;
        k += 36;
    }
    k + 36 * delta / (delta + 38)
}

/// No forbidden domain code point (forbidden host code points, C0 controls, `%`, DEL).
fn forbidden_free(host: &str) -> bool {
    !host.chars().any(|c| {
        c <= '\u{1f}'
            || matches!(
                c,
                ' ' | '#' | '/' | ':' | '<' | '>' | '?' | '@' | '[' | '\\' | ']' | '^' | '|' | '%'
            )
            || c == '\u{7f}'
    })
}

fn percent_decode_bytes(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// The "ends in a number" check: the last label (ignoring one trailing empty label) is all
/// digits or a `0x` hex number.
fn ends_in_number(host: &str) -> bool {
    let mut labels: Vec<&str> = host.split('.').collect();
    if labels.last() == Some(&"") {
        if labels.len() == 1 {
            return false;
        }
        labels.pop();
    }
    let Some(last) = labels.last() else {
        return false;
    };
    (!last.is_empty() && last.bytes().all(|b| b.is_ascii_digit())) || ipv4_number(last).is_some()
}

/// One IPv4 part: decimal, `0x` hex or leading-`0` octal.
fn ipv4_number(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) =
        if let Some(h) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (h, 16u32)
        } else if part.len() > 1 && part.starts_with('0') {
            (part.get(1..).unwrap_or(""), 8)
        } else {
            (part, 10)
        };
    if digits.is_empty() {
        return Some(0);
    }
    let significant = digits.trim_start_matches('0');
    let mut value = 0u64;
    for b in significant.bytes() {
        // `to_digit` with a constant radix: a radix known only at run time would link the
        // panic of an invalid one.
        let digit = match radix {
            16 => (b as char).to_digit(16),
            8 => (b as char).to_digit(8),
            _ => (b as char).to_digit(10),
        }?;
        // Past 16 significant digits the part is far beyond any valid one.
        value = value
            .saturating_mul(u64::from(radix))
            .saturating_add(u64::from(digit));
    }
    Some(value)
}

/// Dotted decimal, as `Ipv4Addr`'s `Display` writes it (without the formatting machinery).
fn serialise_ipv4(ip: Ipv4Addr) -> String {
    let mut out = String::with_capacity(15);
    for (i, octet) in ip.octets().into_iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        push_decimal(&mut out, u64::from(octet));
    }
    out
}

fn parse_ipv4(host: &str) -> Option<Ipv4Addr> {
    let mut parts: Vec<&str> = host.split('.').collect();
    if parts.last() == Some(&"") && parts.len() > 1 {
        parts.pop();
    }
    if parts.len() > 4 {
        return None;
    }
    let numbers: Vec<u64> = parts
        .iter()
        .map(|p| ipv4_number(p))
        .collect::<Option<_>>()?;
    let (last, init) = numbers.split_last()?;
    if init.iter().any(|n| *n > 255) {
        return None;
    }
    let limit = 256u64.pow(5 - numbers.len() as u32);
    if *last >= limit {
        return None;
    }
    let mut value = *last;
    for (i, n) in init.iter().enumerate() {
        value += n * 256u64.pow(3 - i as u32);
    }
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

/// The URL Standard's IPv6 parser (hex pieces, one `::`, an optional trailing IPv4).
fn parse_ipv6(input: &str) -> Option<Ipv6Addr> {
    let s = input.as_bytes();
    let mut pieces = [0u16; 8];
    let mut index = 0usize;
    let mut compress: Option<usize> = None;
    let mut p = 0usize;
    if s.first() == Some(&b':') {
        if s.get(1) != Some(&b':') {
            return None;
        }
        p = 2;
        index = 1;
        compress = Some(1);
    }
    while p < s.len() {
        if index == 8 {
            return None;
        }
        if s.get(p) == Some(&b':') {
            if compress.is_some() {
                return None;
            }
            p += 1;
            index += 1;
            compress = Some(index);
            continue;
        }
        let mut value: u32 = 0;
        let mut length = 0;
        while length < 4 {
            match s.get(p).and_then(|c| (*c as char).to_digit(16)) {
                Some(d) => {
                    value = value * 16 + d;
                    p += 1;
                    length += 1;
                }
                None => break,
            }
        }
        match s.get(p) {
            Some(b'.') => {
                if length == 0 || index > 6 {
                    return None;
                }
                p -= length;
                let v4 = parse_embedded_ipv4(s.get(p..)?)?;
                let [a, b, c, d] = v4;
                *pieces.get_mut(index)? = u16::from(a) << 8 | u16::from(b);
                *pieces.get_mut(index + 1)? = u16::from(c) << 8 | u16::from(d);
                index += 2;
                break;
            }
            Some(b':') => {
                p += 1;
                if p >= s.len() {
                    return None;
                }
            }
            Some(_) => return None,
            None => {}
        }
        *pieces.get_mut(index)? = value as u16;
        index += 1;
    }
    match compress {
        Some(c) => {
            let mut swaps = index - c;
            let mut to = 7;
            while to != 0 && swaps > 0 {
                let from = c + swaps - 1;
                if from >= pieces.len() {
                    return None;
                }
                pieces.swap(to, from);
                to -= 1;
                swaps -= 1;
            }
        }
        None if index != 8 => return None,
        None => {}
    }
    Some(Ipv6Addr::from(pieces))
}

/// Four decimal parts, each 0–255, no leading zeros.
fn parse_embedded_ipv4(s: &[u8]) -> Option<[u8; 4]> {
    let text = core::str::from_utf8(s).ok()?;
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut out = [0u8; 4];
    for (slot, part) in out.iter_mut().zip(parts) {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if part.len() > 3 || (part.len() > 1 && part.starts_with('0')) {
            return None;
        }
        let n = part.bytes().fold(0u16, |n, b| n * 10 + u16::from(b - b'0'));
        *slot = u8::try_from(n).ok()?;
    }
    Some(out)
}

/// Lowercase hex pieces, the first longest run of two or more zeros as `::`, onto `out`.
fn serialise_ipv6(addr: Ipv6Addr, out: &mut String) {
    let pieces = addr.segments();
    let (mut best, mut best_len) = (None, 1usize);
    let mut i = 0;
    while i < 8 {
        let run = pieces.iter().skip(i).take_while(|p| **p == 0).count();
        if run > best_len {
            best = Some(i);
            best_len = run;
        }
        i += run.max(1);
    }
    let mut i = 0;
    while let Some(&piece) = pieces.get(i) {
        if Some(i) == best {
            out.push_str(if i == 0 { "::" } else { ":" });
            i += best_len;
            continue;
        }
        // `{piece:x}`: hex digits without leading zeros.
        let digits = 4 - (piece.leading_zeros() / 4).min(3);
        for shift in (0..digits).rev() {
            let nibble = (piece >> (4 * shift)) & 0xf;
            out.extend(char::from_digit(u32::from(nibble), 16));
        }
        if i < 7 {
            out.push(':');
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn serialises_ipv4_as_display_does() {
        for n in [
            0u32,
            1,
            9,
            10,
            99,
            100,
            255,
            256,
            0x0a00_0001,
            0x7f00_0001,
            u32::MAX,
        ] {
            let ip = Ipv4Addr::from(n);
            assert_eq!(serialise_ipv4(ip), ip.to_string());
        }
    }

    #[test]
    fn serialises_ipv6_pieces_in_lowercase_hex_without_leading_zeros() {
        let mut out = String::new();
        serialise_ipv6(
            Ipv6Addr::new(0x1, 0xab, 0xabc, 0xabcd, 0, 0, 0xf, 0xFFFF),
            &mut out,
        );
        assert_eq!(out, "1:ab:abc:abcd::f:ffff");
        out.clear();
        serialise_ipv6(Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1), &mut out);
        assert_eq!(out, "::1");
        out.clear();
        serialise_ipv6(Ipv6Addr::new(0x2001, 0xdb8, 0, 1, 0, 0, 0, 0), &mut out);
        assert_eq!(out, "2001:db8:0:1::");
    }

    #[test]
    fn reads_ipv4_parts_in_every_radix() {
        assert_eq!(ipv4_number("0x7f"), Some(127));
        assert_eq!(ipv4_number("0X"), Some(0));
        assert_eq!(ipv4_number("017"), Some(15));
        assert_eq!(ipv4_number("018"), None);
        assert_eq!(ipv4_number("255"), Some(255));
        assert_eq!(ipv4_number("0xg"), None);
        assert_eq!(ipv4_number("99999999999999999999999"), Some(u64::MAX));
        assert_eq!(ipv4_number(""), None);
    }
}

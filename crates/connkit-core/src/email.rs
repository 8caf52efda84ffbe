//! zod 4.0.5's `z.string().email()` rule (spec §1.3), written by hand because the regex needs
//! look-ahead:
//!
//! ```text
//! ^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-\.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}$
//! ```
//!
//! Knows nothing about tags or sessions; they call [`is_valid_email`].

/// True if zod 4.0.5's email regex accepts `s` (ASCII only, no IP literals, no quoted parts).
///
/// zod's `.min(5)` next to `.email()` is not part of this check.
///
/// One pass over each part. Neither part can contain '@', so a match splits at the first one;
/// `(?!\.)` and `(?!.*\.\.)` (no leading dot, no ".." anywhere) then hold part by part: the
/// local part may not end with a dot and the domain's labels may not be empty. Line
/// terminators, which `.` does not cross, can never appear in a matching string, so "anywhere"
/// is exact.
pub fn is_valid_email(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(at) = bytes.iter().position(|&b| b == b'@') else {
        return false;
    };
    let (local, domain) = bytes.split_at(at);
    is_valid_local(local)
        && domain
            .split_first()
            .is_some_and(|(_, d)| is_valid_domain(d))
}

/// `(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-\.]*)[A-Za-z0-9_+-]`.
fn is_valid_local(local: &[u8]) -> bool {
    let Some(&last) = local.last() else {
        return false;
    };
    // A dot "before" the start: a leading dot fails like a second dot in a row.
    let mut previous = b'.';
    for &b in local {
        let dot = b == b'.';
        if !(dot && previous != b'.' || !dot && is_local_byte(b)) {
            return false;
        }
        previous = b;
    }
    last != b'.' && last != b'\''
}

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'\'' | b'+' | b'-')
}

/// `([A-Za-z0-9][A-Za-z0-9\-]*\.)+[A-Za-z]{2,}`: at least two labels, the last of two letters
/// or more.
fn is_valid_domain(domain: &[u8]) -> bool {
    let mut dots = 0usize;
    // The current label: its length and whether it is all letters.
    let mut len = 0usize;
    let mut letters = true;
    for &b in domain {
        if b == b'.' {
            if len == 0 {
                return false;
            }
            dots += 1;
            len = 0;
            letters = true;
        } else if b.is_ascii_alphanumeric() || b == b'-' && len > 0 {
            letters &= b.is_ascii_alphabetic();
            len += 1;
        } else {
            return false;
        }
    }
    dots > 0 && len >= 2 && letters
}

#[cfg(test)]
mod tests {
    use super::is_valid_email;
    use crate::prelude::*;

    /// The regex read literally, one condition at a time (the shape of the first version).
    fn by_parts(s: &str) -> bool {
        let bytes = s.as_bytes();
        if bytes.first() == Some(&b'.') || bytes.windows(2).any(|pair| pair == b"..") {
            return false;
        }
        let Some(at) = bytes.iter().position(|&b| b == b'@') else {
            return false;
        };
        let (local, domain) = (&bytes[..at], &bytes[at + 1..]);
        let Some((&last, rest)) = local.split_last() else {
            return false;
        };
        let body = |b: &u8| b.is_ascii_alphanumeric() || b"_'+-.".contains(b);
        if !rest.iter().all(body) || !(last.is_ascii_alphanumeric() || b"_+-".contains(&last)) {
            return false;
        }
        let labels: Vec<&[u8]> = domain.split(|&b| b == b'.').collect();
        let (tld, others) = labels.split_last().unwrap();
        tld.len() >= 2
            && tld.iter().all(u8::is_ascii_alphabetic)
            && !others.is_empty()
            && others.iter().all(|label| {
                label.first().is_some_and(u8::is_ascii_alphanumeric)
                    && label
                        .iter()
                        .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            })
    }

    /// Every string of up to 6 characters over the characters that matter agrees with the
    /// literal reading.
    #[test]
    fn one_pass_agrees_with_the_literal_reading() {
        let alphabet = ['a', 'Z', '0', '_', '\'', '+', '-', '.', '@', '\n'];
        let mut text = String::new();
        let mut checked = 0;
        fn each(text: &mut String, alphabet: &[char], depth: usize, f: &mut impl FnMut(&str)) {
            f(text);
            if depth == 0 {
                return;
            }
            for &c in alphabet {
                text.push(c);
                each(text, alphabet, depth - 1, f);
                text.pop();
            }
        }
        each(&mut text, &alphabet, 6, &mut |s| {
            assert_eq!(is_valid_email(s), by_parts(s), "{s:?}");
            checked += 1;
        });
        assert_eq!(checked, 1_111_111);
    }

    #[test]
    fn spec_examples() {
        for ok in [
            "a@b.co",
            "user.name+tag@example.com",
            "a_b@x.co",
            "o'brien@x.io",
            "a@x-.io",
            "a@1.io",
            "A@X.IO",
            "a@b-c.d-e.fg",
        ] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "a..b@x.io",
            ".a@x.io",
            "a.@x.io",
            "a@x.c",
            "a@-x.io",
            "a@x.io.",
            "\"q\"@x.io",
            "a@[1.2.3.4]",
            "ü@x.io",
            "a@ü.io",
            "a@x.co1",
            "a@x..io",
            "",
            "@x.io",
            "a@io",
            "a@@x.io",
            "a'@x.io",
            "a@x.io\n",
        ] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
    }
}

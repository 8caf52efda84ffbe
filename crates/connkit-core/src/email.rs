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
pub fn is_valid_email(s: &str) -> bool {
    let bytes = s.as_bytes();
    // (?!\.) and (?!.*\.\.): no leading dot, no ".." anywhere. Line terminators, which `.` does
    // not cross, can never appear in a matching string, so "anywhere" is exact.
    if bytes.first() == Some(&b'.') || bytes.windows(2).any(|pair| pair == b"..") {
        return false;
    }
    // Neither part can contain '@', so a match has exactly one.
    let Some(at) = bytes.iter().position(|&b| b == b'@') else {
        return false;
    };
    let (local, domain) = (&bytes[..at], &bytes[at + 1..]);
    is_valid_local(local) && is_valid_domain(domain)
}

fn is_valid_local(local: &[u8]) -> bool {
    let Some((&last, rest)) = local.split_last() else {
        return false;
    };
    let body = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'\'' | b'+' | b'-' | b'.');
    rest.iter().all(body) && (last.is_ascii_alphanumeric() || matches!(last, b'_' | b'+' | b'-'))
}

fn is_valid_domain(domain: &[u8]) -> bool {
    let mut labels = domain.split(|&b| b == b'.');
    let Some(tld) = labels.next_back() else {
        return false;
    };
    if tld.len() < 2 || !tld.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let mut n_labels = 0;
    for label in labels {
        n_labels += 1;
        let Some((first, rest)) = label.split_first() else {
            return false;
        };
        if !first.is_ascii_alphanumeric()
            || !rest.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        {
            return false;
        }
    }
    n_labels >= 1
}

#[cfg(test)]
mod tests {
    use super::is_valid_email;

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

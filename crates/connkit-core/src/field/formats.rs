//! The string formats a field schema can name (spec §4.3) that no other rule shares: `hostname`
//! (Connect UI's own regex) and `uuid` (zod 4.0.5). `email` lives in `crate::email`; `uri`
//! (zod 4.0.5's `url()`, whatever WHATWG `new URL` accepts) is `crate::js::url_can_parse`.
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
}

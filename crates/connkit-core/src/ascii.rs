//! ASCII case folding eight bytes at a time, for the comparisons the tags rule makes on every
//! call: keys against fixed names (`end_user_email`, `constructor`), keys against earlier keys,
//! and a duplicate's name against the names a host keeps.
//!
//! Knows nothing about tags: only bytes and ASCII capital letters. Every function here agrees
//! with `u8::to_ascii_lowercase` byte by byte (the tests check each byte at each position).

/// `word` with each ASCII capital lowercased, every other byte (non-ASCII ones included) kept.
const fn lower_word(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let heptets = word & LOW7;
    // The high bit of each byte: its low seven bits are at least 'A' (0x41); at least '[' (0x5B,
    // just past 'Z'). No sum carries into the next byte (0x7F + 0x3F < 0x100).
    let from_a = heptets + 0x3f3f_3f3f_3f3f_3f3f;
    let past_z = heptets + 0x2525_2525_2525_2525;
    let capital = from_a & !past_z & !word & HIGH;
    word | capital >> 2
}

/// Up to eight bytes as a little-endian word, zero-padded.
fn word(bytes: &[u8]) -> u64 {
    let mut out = [0u8; 8];
    for (to, byte) in out.iter_mut().zip(bytes) {
        *to = *byte;
    }
    u64::from_le_bytes(out)
}

/// Whether `eq` holds for each pair of words of `a` and `b` (of equal length): eight bytes at a
/// time, the last eight overlapping the ones before (a byte compared twice compares equal twice),
/// and shorter texts zero-padded.
#[inline]
fn words_eq(a: &[u8], b: &[u8], eq: impl Fn(u64, u64) -> bool) -> bool {
    let len = a.len().min(b.len());
    if len < 8 {
        return eq(word(a), word(b));
    }
    let at = |text: &[u8], i: usize| {
        text.get(i..)
            .and_then(<[u8]>::first_chunk::<8>)
            .map_or(0, |c| u64::from_le_bytes(*c))
    };
    let mut i = 0;
    while i + 8 < len {
        if !eq(at(a, i), at(b, i)) {
            return false;
        }
        i += 8;
    }
    eq(at(a, len - 8), at(b, len - 8))
}

/// `a.eq_ignore_ascii_case(b)`.
#[inline]
pub(crate) fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && words_eq(a, b, |x, y| lower_word(x) == lower_word(y))
}

/// Whether `lower` is `text` with its ASCII capitals lowercased.
#[inline]
pub(crate) fn is_lowercase_of(lower: &[u8], text: &[u8]) -> bool {
    lower.len() == text.len() && words_eq(lower, text, |l, t| l == lower_word(t))
}

/// A lowercase ASCII name of 8 to 16 bytes that texts are compared with ignoring case, in a few
/// word operations: its first and last 8 bytes (they overlap below 16) and where a text's byte
/// may differ by case.
pub(crate) struct FixedName {
    first: u64,
    last: u64,
    /// 0x20 at each letter of `first` and `last`.
    first_letters: u64,
    last_letters: u64,
    len: usize,
}

impl FixedName {
    /// Panics (at compile time, in a `const`) unless `name` is 8 to 16 bytes of ASCII without
    /// capitals.
    pub(crate) const fn new(name: &str) -> FixedName {
        let name = name.as_bytes();
        let len = name.len();
        assert!(len >= 8 && len <= 16);
        FixedName {
            first: FixedName::word(name, 0, false),
            last: FixedName::word(name, len - 8, false),
            first_letters: FixedName::word(name, 0, true),
            last_letters: FixedName::word(name, len - 8, true),
            len,
        }
    }

    /// The 8 bytes of `name` from `from`, or 0x20 where they are letters.
    const fn word(name: &[u8], from: usize, letters: bool) -> u64 {
        let mut bytes = [0u8; 8];
        let mut i = 0;
        while i < 8 {
            let b = name[from + i];
            assert!(b.is_ascii() && !b.is_ascii_uppercase());
            bytes[i] = if !letters {
                b
            } else if b.is_ascii_lowercase() {
                0x20
            } else {
                0
            };
            i += 1;
        }
        u64::from_le_bytes(bytes)
    }

    /// `text.eq_ignore_ascii_case(name)`: setting bit 0x20 maps exactly the two cases of a
    /// letter to its lowercase, and elsewhere the bytes must be equal.
    #[inline]
    pub(crate) fn matches(&self, text: &str) -> bool {
        let text = text.as_bytes();
        match (text.first_chunk::<8>(), text.last_chunk::<8>()) {
            (Some(first), Some(last)) if text.len() == self.len => {
                u64::from_le_bytes(*first) | self.first_letters == self.first
                    && u64::from_le_bytes(*last) | self.last_letters == self.last
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    /// Each byte value at each position of a word lowercases as `to_ascii_lowercase` does, next
    /// to bytes that would carry if the sums overflowed.
    #[test]
    fn words_lowercase_byte_by_byte() {
        for at in 0..8 {
            for byte in 0..=255u8 {
                for fill in [0u8, 0x40, 0x5a, 0x7f, 0x80, 0xff] {
                    let mut bytes = [fill; 8];
                    bytes[at] = byte;
                    let want = bytes.map(|b| b.to_ascii_lowercase());
                    assert_eq!(
                        lower_word(u64::from_le_bytes(bytes)),
                        u64::from_le_bytes(want)
                    );
                }
            }
        }
    }

    /// The comparisons agree with std's on pairs of texts of every length up to 20 that differ
    /// in one byte, or only by case.
    #[test]
    fn comparisons_agree_with_std() {
        let alphabet = [
            b'a', b'A', b'z', b'Z', b'@', b'[', b'`', b'{', b'_', b'0', 0x80, 0xc4,
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..20_000 {
            let len = next(21);
            let a: Vec<u8> = (0..len).map(|_| alphabet[next(alphabet.len())]).collect();
            let mut b = a.clone();
            match next(3) {
                0 if len > 0 => b[next(len)] = alphabet[next(alphabet.len())],
                1 => b.iter_mut().for_each(|c| *c = c.to_ascii_uppercase()),
                _ => b.push(b'a'),
            }
            assert_eq!(
                eq_ignore_case(&a, &b),
                a.eq_ignore_ascii_case(&b),
                "{a:?} {b:?}"
            );
            let lower = a.to_ascii_lowercase();
            assert_eq!(is_lowercase_of(&lower, &b), lower == b.to_ascii_lowercase());
            assert_eq!(is_lowercase_of(&a, &b), a == b.to_ascii_lowercase());
        }
    }

    /// A fixed name matches like `eq_ignore_ascii_case` on every one-byte change of it (every
    /// ASCII byte, both cases of each letter), on shorter and longer texts, and on non-ASCII
    /// texts of the same byte length.
    #[test]
    fn fixed_names_match_like_eq_ignore_ascii_case() {
        for name in [
            "constructor",
            "end_user_email",
            "abcdefgh",
            "abcdefgh_ijklmno",
        ] {
            let fixed = FixedName::new(name);
            let mut texts = vec![
                String::new(),
                name[..name.len() - 1].to_owned(),
                format!("{name}x"),
                name.to_uppercase(),
                format!("é{}", &name[2..]),
                format!("{}\u{212A}", &name[..name.len() - 3]),
            ];
            for at in 0..name.len() {
                for byte in 0u8..0x80 {
                    let mut text = name.as_bytes().to_vec();
                    text[at] = byte;
                    texts.push(String::from_utf8(text).unwrap());
                }
            }
            for text in &texts {
                assert_eq!(
                    fixed.matches(text),
                    text.eq_ignore_ascii_case(name),
                    "{text:?}"
                );
            }
        }
    }
}

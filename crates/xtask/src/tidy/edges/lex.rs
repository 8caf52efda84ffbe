//! Just enough of a Rust lexer for the import checks: identifiers (keywords included), `::` and
//! single punctuation characters, each with its line; comments, string, byte-string and character
//! literals, lifetimes and numbers are dropped, so a path written in a comment or a string is
//! never taken for an import.
//!
//! Knows nothing about modules or paths.

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    /// An identifier or keyword (`r#type` as `type`, `$crate` as `crate`).
    Ident(String),
    /// `::`.
    PathSep,
    /// Any other punctuation character.
    Punct(char),
}

/// A token and the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) line: usize,
}

/// The tokens of `src`.
pub(super) fn tokens(src: &str) -> Vec<Token> {
    let chars: Vec<char> = src.chars().collect();
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start_line = line;
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            i = skip_block_comment(&chars, i, &mut line);
        } else if c == '"' {
            i = skip_string(&chars, i + 1, &mut line);
        } else if c == '\'' {
            i = skip_char_or_lifetime(&chars, i);
        } else if c.is_ascii_digit() {
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
        } else if c.is_alphabetic() || c == '_' {
            let begin = i;
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            let word: String = chars[begin..i].iter().collect();
            let raw_prefix = matches!(word.as_str(), "r" | "br" | "cr");
            let hashes = chars[i..].iter().take_while(|c| **c == '#').count();
            if raw_prefix && at(i + hashes) == '"' {
                i = skip_raw_string(&chars, i + hashes + 1, hashes, &mut line);
            } else if matches!(word.as_str(), "b" | "c") && at(i) == '"' {
                i = skip_string(&chars, i + 1, &mut line);
            } else if word == "b" && at(i) == '\'' {
                i = skip_char_or_lifetime(&chars, i);
            } else if word == "r" && hashes == 1 {
                // A raw identifier: `r#type`.
                i += 1;
            } else {
                out.push(Token {
                    tok: Tok::Ident(word),
                    line: start_line,
                });
            }
        } else if c == ':' && at(i + 1) == ':' {
            out.push(Token {
                tok: Tok::PathSep,
                line: start_line,
            });
            i += 2;
        } else if c == '$' {
            // `$crate` in a macro is `crate`.
            i += 1;
        } else {
            out.push(Token {
                tok: Tok::Punct(c),
                line: start_line,
            });
            i += 1;
        }
    }
    out
}

/// Past the block comment opening at `i` (comments nest).
fn skip_block_comment(chars: &[char], mut i: usize, line: &mut usize) -> usize {
    let mut depth = 0_usize;
    while i < chars.len() {
        match (chars[i], chars.get(i + 1).copied().unwrap_or('\0')) {
            ('/', '*') => {
                depth += 1;
                i += 2;
            }
            ('*', '/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            ('\n', _) => {
                *line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    i
}

/// Past the closing `"` of a string whose text starts at `i`.
fn skip_string(chars: &[char], mut i: usize, line: &mut usize) -> usize {
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if chars.get(i + 1) == Some(&'\n') {
                    *line += 1;
                }
                i += 2;
            }
            '"' => return i + 1,
            '\n' => {
                *line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    i
}

/// Past the `"` and `hashes` `#`s closing a raw string whose text starts at `i`.
fn skip_raw_string(chars: &[char], mut i: usize, hashes: usize, line: &mut usize) -> usize {
    while i < chars.len() {
        if chars[i] == '"'
            && chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == '#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        if chars[i] == '\n' {
            *line += 1;
        }
        i += 1;
    }
    i
}

/// Past a character literal (`'a'`, `'\n'`, `'\u{1F600}'`) or a lifetime (`'a`) starting at `i`.
fn skip_char_or_lifetime(chars: &[char], i: usize) -> usize {
    let at = |k: usize| chars.get(k).copied().unwrap_or('\0');
    if at(i + 1) == '\\' {
        let mut k = i + 3;
        while k < chars.len() && chars[k] != '\'' {
            k += 1;
        }
        return k + 1;
    }
    if at(i + 2) == '\'' {
        return i + 3;
    }
    // A lifetime or label: the name is dropped with it.
    let mut k = i + 1;
    while at(k).is_alphanumeric() || at(k) == '_' {
        k += 1;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(src: &str) -> Vec<String> {
        tokens(src)
            .into_iter()
            .filter_map(|t| match t.tok {
                Tok::Ident(name) => Some(name),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn comments_strings_and_literals_hold_no_identifiers() {
        let src = r####"
            // crate::a
            /* crate::b /* nested crate::c */ crate::d */
            let s = "crate::e \" crate::f";
            let r = r#"crate::g "still" crate::h"#;
            let b = b"crate::i";
            let q = '"'; let e = '\''; let u = '\u{22}';
            fn f<'a>(x: &'a str) -> &'a str { x }
            let n = 0x1f_u8;
            let t = r#type;
        "####;
        assert_eq!(
            idents(src),
            [
                "let", "s", "let", "r", "let", "b", "let", "q", "let", "e", "let", "u", "fn", "f",
                "x", "str", "str", "x", "let", "n", "let", "t", "type"
            ]
        );
    }

    #[test]
    fn paths_keep_their_separators_and_lines() {
        let toks = tokens("use crate::{a,\n  B};\n$crate::c");
        let lines: Vec<(Tok, usize)> = toks.into_iter().map(|t| (t.tok, t.line)).collect();
        let id = |s: &str| Tok::Ident(s.to_owned());
        assert_eq!(
            lines,
            [
                (id("use"), 1),
                (id("crate"), 1),
                (Tok::PathSep, 1),
                (Tok::Punct('{'), 1),
                (id("a"), 1),
                (Tok::Punct(','), 1),
                (id("B"), 2),
                (Tok::Punct('}'), 2),
                (Tok::Punct(';'), 2),
                (id("crate"), 3),
                (Tok::PathSep, 3),
                (id("c"), 3),
            ]
        );
    }
}

//! Language negotiation: which of the languages connkit's pages speak answers a person's
//! preferences (`navigator.languages`, an `?lang=` option, an `Accept-Language` header).
//!
//! The widget (its `lang` option, then the browser's languages) and the server (the OAuth
//! callback page, from `Accept-Language`) both choose with [`best_language`], so that `pt`
//! means pt-BR and `zh-Hans` means zh-CN in both. Knows no language's words: the catalogues are
//! the widget's and the server's.

use crate::prelude::*;

/// The languages connkit's pages speak, as BCP 47 tags; English first, the fallback.
pub const LANGUAGES: [&str; 10] = [
    "en", "fr", "de", "es", "ja", "it", "pt-BR", "nl", "pl", "zh-CN",
];

/// The language tags of an `Accept-Language` header, most preferred first: by `q` weight, ties
/// in the header's order; `*`, `q=0` and malformed entries are left out.
pub fn accept_language(header: &str) -> Vec<&str> {
    let mut tags: Vec<(&str, u16)> = header
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let mut weight = 1000;
            for param in parts {
                let param = param.trim();
                if let Some(q) = param
                    .strip_prefix("q=")
                    .or_else(|| param.strip_prefix("Q="))
                {
                    weight = quality(q.trim())?;
                }
            }
            let well_formed =
                !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            (well_formed && weight > 0).then_some((tag, weight))
        })
        .collect();
    // Stable: equal weights keep the header's order.
    tags.sort_by_key(|tag| core::cmp::Reverse(tag.1));
    tags.into_iter().map(|(tag, _)| tag).collect()
}

/// An HTTP quality value (`0`, `0.5`, `1.000`) in thousandths; `None` when malformed.
fn quality(text: &str) -> Option<u16> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// The first of `preferences` that one of `supported` answers: the same tag (any case), else the
/// same language (`fr-CA` → `fr`, `pt` → `pt-BR`, `zh-Hans-CN` → `zh-CN`). Traditional Chinese
/// (`zh-Hant`, `zh-TW`, `zh-HK`, `zh-MO`) is not answered by simplified Chinese.
pub fn best_language<'a, 'p>(
    preferences: impl IntoIterator<Item = &'p str>,
    supported: &[&'a str],
) -> Option<&'a str> {
    for pref in preferences {
        let pref = pref.trim();
        if let Some(exact) = supported.iter().find(|s| s.eq_ignore_ascii_case(pref)) {
            return Some(exact);
        }
        let primary = primary(pref);
        if primary.is_empty() || (primary.eq_ignore_ascii_case("zh") && traditional(pref)) {
            continue;
        }
        if let Some(same) = supported
            .iter()
            .find(|s| primary.eq_ignore_ascii_case(self::primary(s)))
        {
            return Some(same);
        }
    }
    None
}

/// A tag's language subtag (`pt` of `pt-BR`).
fn primary(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or("")
}

/// True for a Chinese tag written in traditional characters (script `Hant`, or a region that
/// uses them).
fn traditional(tag: &str) -> bool {
    tag.split(['-', '_']).skip(1).any(|sub| {
        ["hant", "tw", "hk", "mo"]
            .iter()
            .any(|t| sub.eq_ignore_ascii_case(t))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(prefs: &[&str]) -> Option<&'static str> {
        best_language(prefs.iter().copied(), &LANGUAGES)
    }

    #[test]
    fn exact_then_same_language() {
        assert_eq!(pick(&["de-AT", "fr"]), Some("de"));
        assert_eq!(pick(&["pt"]), Some("pt-BR"));
        assert_eq!(pick(&["pt-PT"]), Some("pt-BR"));
        assert_eq!(pick(&["PT-br"]), Some("pt-BR"));
        assert_eq!(pick(&["zh"]), Some("zh-CN"));
        assert_eq!(pick(&["zh-Hans"]), Some("zh-CN"));
        assert_eq!(pick(&["zh-Hans-CN"]), Some("zh-CN"));
        assert_eq!(pick(&["zh-TW", "zh-Hant", "ja"]), Some("ja"));
        assert_eq!(pick(&["sv", "nb"]), None);
        assert_eq!(pick(&["", "-", "*"]), None);
        assert_eq!(pick(&[]), None);
    }

    #[test]
    fn accept_language_orders_by_weight() {
        assert_eq!(
            accept_language("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5"),
            ["fr-CH", "fr", "en", "de"]
        );
        assert_eq!(accept_language("en;q=0.5, ja"), ["ja", "en"]);
        assert_eq!(accept_language("nl;q=0, pl;q=0.001"), ["pl"]);
        // Malformed weights and tags are dropped, never a panic.
        assert_eq!(
            accept_language("it;q=2, es;q=0.1234, <b>, de;q=abc, pt;q=1.0"),
            ["pt"]
        );
        assert!(accept_language("").is_empty());
        assert_eq!(
            best_language(accept_language("sv, ja-JP;q=0.8"), &LANGUAGES),
            Some("ja")
        );
    }
}

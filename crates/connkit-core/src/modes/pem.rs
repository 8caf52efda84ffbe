//! PEM text as Nango's `formatPem` reads it (`packages/shared/lib/utils/utils.ts`): `\n`
//! written as two characters become newlines (when the text has any), every `-----BEGIN …-----`
//! and `-----END …-----` marker and all white space go, what is left must be base64, and it is
//! written again under the label asked for, in lines of 64 characters.
//!
//! Knows nothing about what the key or certificate is for, nor whether it parses as DER.

use crate::js::is_js_whitespace;
use crate::prelude::*;

/// `formatPem(text, label)`, or `None` where it throws (nothing left, or not base64).
pub(crate) fn format_pem(text: &str, label: &str) -> Option<String> {
    let body = pem_body(text)?;
    let mut out = format!("-----BEGIN {label}-----\n");
    let mut rest = body.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str(&format!("-----END {label}-----\n"));
    Some(out)
}

/// The base64 body of a PEM text, armour and white space removed.
fn pem_body(text: &str) -> Option<String> {
    let text = if text.contains("\\n") {
        text.replace("\\n", "\n")
    } else {
        text.to_owned()
    };
    let mut body = strip_armour(&text);
    body.retain(|c| !is_js_whitespace(c));
    let base64 = body
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    (!body.is_empty() && base64).then_some(body)
}

/// The text without `/-----BEGIN [^-]+-----/` and `/-----END [^-]+-----/` markers.
pub(crate) fn strip_armour(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("-----") {
        out.push_str(rest.get(..at).unwrap_or(""));
        let after = rest.get(at + 5..).unwrap_or("");
        // `/-----(BEGIN|END) [^-]+-----/`: a marker only when the whole shape is there.
        let marker = ["BEGIN ", "END "].iter().find_map(|word| {
            let label = after.strip_prefix(word)?;
            let len = label.find('-')?;
            (len > 0 && label.get(len..)?.starts_with("-----")).then_some(word.len() + len + 5)
        });
        match marker {
            Some(skip) => rest = after.get(skip..).unwrap_or(""),
            None => {
                out.push_str("-----");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armour_and_escaped_newlines_are_rewritten() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\\nQUJD\\nREVG\\n-----END RSA PRIVATE KEY-----";
        assert_eq!(
            format_pem(text, "PRIVATE KEY").as_deref(),
            Some("-----BEGIN PRIVATE KEY-----\nQUJDREVG\n-----END PRIVATE KEY-----\n")
        );
        let long = "A".repeat(70);
        assert_eq!(
            format_pem(&long, "CERTIFICATE").as_deref(),
            Some(
                format!(
                    "-----BEGIN CERTIFICATE-----\n{}\n{}\n-----END CERTIFICATE-----\n",
                    "A".repeat(64),
                    "A".repeat(6)
                )
                .as_str()
            )
        );
        assert_eq!(
            format_pem("-----BEGIN X----- \n -----END X-----", "X"),
            None
        );
        assert_eq!(format_pem("not*base64", "X"), None);
    }
}

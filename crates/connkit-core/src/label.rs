//! How an app shows a connection from its reserved UI tags: `end_user_display_name` instead of
//! the connection id, `end_user_email` beside it, and the company the email's domain names (its
//! initials and the domain, worked out offline: no logo is fetched).
//!
//! Knows nothing about views: it gives the texts, the host lays them out.

use serde_json::{Map, Value};

use crate::prelude::*;
use crate::tags::END_USER_EMAIL_KEY;

/// The tag whose value is shown instead of the connection id.
pub const END_USER_DISPLAY_NAME_KEY: &str = "end_user_display_name";

/// What a list or a detail shows of one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLabel {
    /// `end_user_display_name`, else the connection id.
    pub name: String,
    /// True when `name` is the display name (false: it is the connection id).
    pub named: bool,
    /// `end_user_email`.
    pub email: Option<String>,
    /// The company of the email's domain.
    pub company: Option<Company>,
}

/// A company named by an email domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    /// The domain, lowercased (`acme-corp.co.uk`).
    pub domain: String,
    /// One or two capitals from the domain's name part (`AC`).
    pub initials: String,
}

/// The label of connection `connection_id` with these tags (non-string or empty values are
/// ignored).
pub fn connection_label(connection_id: &str, tags: &Map<String, Value>) -> ConnectionLabel {
    let text = |key: &str| {
        tags.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let display = text(END_USER_DISPLAY_NAME_KEY);
    let email = text(END_USER_EMAIL_KEY);
    let company = email.as_deref().and_then(company_of);
    ConnectionLabel {
        named: display.is_some(),
        name: display.unwrap_or_else(|| connection_id.to_owned()),
        email,
        company,
    }
}

/// The company of `email`'s domain: its name part is the label left of the public suffix, taken
/// to be the last label, or the last two when the second-last is at most three letters
/// (`co.uk`, `com.au`).
fn company_of(email: &str) -> Option<Company> {
    let (_, domain) = email.rsplit_once('@')?;
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = domain.split('.').filter(|l| !l.is_empty()).collect();
    let name = match labels.as_slice() {
        [.., name, second, _] if second.len() <= 3 => name,
        [.., name, _] => name,
        _ => return None,
    };
    let initials: String = name
        .split(['-', '_'])
        .filter_map(|part| part.chars().next())
        .filter(|c| c.is_alphanumeric())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    (!initials.is_empty()).then_some(Company { domain, initials })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn label(id: &str, tags: Value) -> ConnectionLabel {
        connection_label(id, tags.as_object().expect("an object"))
    }

    #[test]
    fn the_display_name_replaces_the_id_and_the_email_names_the_company() {
        let shown = label(
            "c-1",
            json!({"end_user_display_name": "Ada Lovelace", "end_user_email": "ada@Acme-Corp.co.uk"}),
        );
        assert_eq!((shown.name.as_str(), shown.named), ("Ada Lovelace", true));
        assert_eq!(shown.email.as_deref(), Some("ada@Acme-Corp.co.uk"));
        let company = shown.company.expect("a company");
        assert_eq!(
            (company.domain.as_str(), company.initials.as_str()),
            ("acme-corp.co.uk", "AC")
        );
    }

    #[test]
    fn without_those_tags_it_is_the_connection_id() {
        let shown = label(
            "c-2",
            json!({"end_user_display_name": "  ", "end_user_email": 5}),
        );
        assert_eq!(
            (shown.name.as_str(), shown.named, shown.email, shown.company),
            ("c-2", false, None, None)
        );
    }

    #[test]
    fn companies_from_domains() {
        for (email, initials) in [
            ("a@acme.io", Some("A")),
            ("a@mail.globex.com", Some("G")),
            ("a@initech.com.au", Some("I")),
            ("a@x.co", Some("X")),
            ("a@ibm.co.uk", Some("I")),
            ("a@big_data-labs.dev", Some("BD")),
            ("a@localhost", None),
            ("not-an-email", None),
        ] {
            let got = company_of(email).map(|c| c.initials);
            assert_eq!(got.as_deref(), initials, "{email}");
        }
    }
}

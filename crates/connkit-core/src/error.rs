//! Issue codes, issues, and the one place their English text is written.
//!
//! Every rule in the crate reports problems as [`Issue`]s: a stable [`ErrorCode`], a JSON-style
//! path and a [`Severity`]. Codes are a public contract shared with JavaScript, HTTP clients and
//! the widget: variants are only ever appended, never renamed or removed.
//!
//! This module knows nothing about Nango's own wire messages (see `nango.rs`), HTTP or the DOM.

use core::fmt;

use crate::prelude::*;

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $name:literal, $text:literal; )*) => {
        /// Why a value was rejected or flagged.
        ///
        /// The string form ([`ErrorCode::as_str`]) is append-only: never renamed or removed.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[doc = $doc])+ $variant, )*
        }

        impl ErrorCode {
            /// Every code, in declaration order (used by code generation and the vector-coverage test).
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The code's position in [`ErrorCode::ALL`] (append-only, like the names).
            pub const fn index(self) -> usize {
                self as usize
            }

            /// The stable snake_case name of the code.
            pub const fn as_str(self) -> &'static str {
                match self { $( ErrorCode::$variant => $name, )* }
            }

            /// Looks a code up by its snake_case name.
            pub fn from_name(name: &str) -> Option<ErrorCode> {
                match name { $( $name => Some(ErrorCode::$variant), )* _ => None }
            }

            /// The code's documentation, as written on its variant.
            pub const fn doc(self) -> &'static str {
                match self { $( ErrorCode::$variant => concat!($($doc, "\n"),+), )* }
            }

            /// The English sentence for the code, before details are filled in (a constant, so a
            /// host can build a table of only the codes it can give: see [`Issue::message_with`]).
            pub const fn text(self) -> &'static str {
                match self { $( ErrorCode::$variant => $text, )* }
            }
        }
    };
}

error_codes! {
    // ---- tags (spec §1.2–1.5) ----
    /// The tags value is not a JSON object (detail: the type received).
    TagsNotObject = "tags_not_object", "tags must be an object";
    /// A tag key does not match `^[a-zA-Z][a-zA-Z0-9_\-./]*$` (an ASCII letter first, then letters, digits, `_ - . /`).
    TagKeyInvalid = "tag_key_invalid", "tag keys must start with a letter and contain only letters, digits, '_', '-', '.' or '/'";
    /// A tag key is longer than 64 UTF-16 code units (detail: the limit).
    TagKeyTooLong = "tag_key_too_long", "tag key is too long";
    /// A tag value is not a string (detail: the type received).
    TagValueNotString = "tag_value_not_string", "tag values must be strings";
    /// A tag value is the empty string.
    TagValueEmpty = "tag_value_empty", "tag values must not be empty";
    /// A tag value is longer than 255 UTF-16 code units (detail: the limit).
    TagValueTooLong = "tag_value_too_long", "tag value is too long";
    /// There are more than 10 tag keys (detail: the limit). Reported at the tags object.
    TagsTooMany = "tags_too_many", "too many tags";
    /// Two keys are equal after lowercasing (detail: the lowercased key). Reported at the later key.
    TagKeyDuplicate = "tag_key_duplicate", "duplicate tag key after case normalization";
    /// The value of the `end_user_email` tag (any key case) fails zod 4.0.5's email rule.
    TagEndUserEmailInvalid = "tag_end_user_email_invalid", "the end_user_email tag must be a valid email";
    /// A `tags[key]` filter key appears more than once in a query string (detail: the key).
    TagFilterKeyRepeated = "tag_filter_key_repeated", "a tag filter key appears more than once";

    // ---- generic structure of JSON bodies ----
    /// A required value is missing (detail: the expected type).
    ValueRequired = "value_required", "a value is required";
    /// A value has the wrong JSON type (detail: expected and received types).
    ValueTypeInvalid = "value_type_invalid", "wrong type";
    /// An object has a key the schema does not allow (detail: the key). Reported at the key.
    KeyUnrecognized = "key_unrecognized", "unrecognized key";
    /// A string that must not be empty is empty.
    StringEmpty = "string_empty", "must not be empty";
    /// A string is shorter than its minimum length in UTF-16 code units (detail: the limit).
    StringTooShort = "string_too_short", "too short";
    /// A string is longer than its maximum length in UTF-16 code units (detail: the limit).
    StringTooLong = "string_too_long", "too long";
    /// A string is not an email address under zod 4.0.5's rule (spec §1.3).
    EmailInvalid = "email_invalid", "invalid email address";
    /// A string is not an absolute URL.
    UrlInvalid = "url_invalid", "invalid URL";
    /// An integration unique key does not match `^[a-zA-Z0-9~:.@ _-]+$`.
    IntegrationKeyInvalid = "integration_key_invalid", "invalid integration key";
    /// A connection id does not match Nango's connection-id pattern (spec §6.1).
    ConnectionIdInvalid = "connection_id_invalid", "invalid connection id";
    /// A webhook URL points to Nango's own domain (`nango.dev` or a subdomain).
    WebhookUrlNangoDomain = "webhook_url_nango_domain", "webhook URLs cannot point to nango.dev";

    // ---- metadata (spec §6.5) ----
    /// Metadata is not a JSON object (detail: the type received).
    MetadataNotObject = "metadata_not_object", "metadata must be an object";
    /// Serialised metadata is larger than the limit in bytes (detail: the limit).
    MetadataTooLarge = "metadata_too_large", "metadata is too large";
    /// Warning: a metadata key looks like a credential; credentials never go into metadata.
    MetadataKeyCredentialLike = "metadata_key_credential_like", "this key looks like a credential; credentials do not belong in metadata";

    // ---- connection_config and credential fields (spec §4.3, §5.3) ----
    /// A required field is missing or empty.
    FieldRequired = "field_required", "this field is required";
    /// A field value is not a string (detail: the type received).
    FieldNotString = "field_not_string", "this field must be a string";
    /// A field value is not one of the field's `enum` values.
    FieldEnumMismatch = "field_enum_mismatch", "choose one of the listed values";
    /// A field with `format: hostname` is not `^[a-zA-Z0-9.-]+$`.
    FieldHostnameInvalid = "field_hostname_invalid", "invalid hostname";
    /// A field with `format: uuid` is not a UUID (versions 1–8 or nil).
    FieldUuidInvalid = "field_uuid_invalid", "invalid UUID";
    /// A field with `format: uri` is not a URL.
    FieldUriInvalid = "field_uri_invalid", "invalid URL";
    /// A field with `format: email` is not an email address.
    FieldEmailInvalid = "field_email_invalid", "invalid email address";
    /// A field value does not match the field's `pattern` (JavaScript RegExp semantics, unanchored).
    FieldPatternMismatch = "field_pattern_mismatch", "the value does not have the expected format";
    /// Warning: the field's `pattern` is not a valid JavaScript regular expression, so it is not enforced.
    FieldPatternUnusable = "field_pattern_unusable", "the provider's pattern for this field is not a valid regular expression";
    /// Warning: a connection_config key the provider does not declare.
    FieldUnknown = "field_unknown", "the provider does not declare this field";

    // ---- URL interpolation (spec §5.4) ----
    /// A `${…}` placeholder has no value (detail: the connection_config key).
    InterpolationValueMissing = "interpolation_value_missing", "a value needed by the URL is missing";
    /// The interpolated URL is not a valid absolute URL.
    InterpolationUrlInvalid = "interpolation_url_invalid", "the interpolated URL is not valid";

    // ---- provider catalogue (spec §5.1–5.3) ----
    /// The catalogue is not parseable YAML/JSON or not a map of providers.
    CatalogueInvalid = "catalogue_invalid", "the provider catalogue cannot be read";
    /// A provider entry is not an object or lacks a field every provider needs.
    ProviderInvalid = "provider_invalid", "invalid provider definition";
    /// An `alias` names no provider that comes earlier in the file (detail: the alias target).
    ProviderAliasUnknown = "provider_alias_unknown", "the provider alias points to an unknown provider";
    /// No provider has this name (detail: the name).
    ProviderUnknown = "provider_unknown", "unknown provider";

    // ---- webhooks (spec §7) ----
    /// No signature header was given.
    WebhookSignatureMissing = "webhook_signature_missing", "the webhook signature is missing";
    /// The signature does not match the body and key.
    WebhookSignatureInvalid = "webhook_signature_invalid", "the webhook signature is invalid";

    // ---- tag filter (spec §1.8), appended ----
    /// A `tags[…]` query parameter that Nango's query parser (qs) drops silently: a key named
    /// like an `Object.prototype` property (`constructor`, `toString`, …) or a parameter past the
    /// 1000th. Nango would then filter without it.
    TagFilterParamIgnored = "tag_filter_param_ignored", "this tags parameter would be ignored by Nango's query parser";

    // ---- tags, appended ----
    /// A tag key that lowercases to `constructor`: zod 4.0.5, which Nango uses, treats an object
    /// with an own `constructor` key as not a plain object and rejects (or crashes on) the whole
    /// tags object, so such a key could never be stored or sent back.
    TagKeyReserved = "tag_key_reserved", "this tag key is reserved";

    // ---- OAuth 2 (spec §3.5, §5.2, §6.3), appended ----
    /// The provider cannot run the OAuth 2 authorization-code flow: it lacks an
    /// `authorization_url` or a `token_url` (detail: the attribute), or its `auth_mode` is not
    /// `OAUTH2`.
    OAuthProviderIncomplete = "oauth_provider_incomplete", "the provider cannot run an OAuth 2 authorization";
    /// The provider's `token_params.grant_type` is not `authorization_code` (detail: the grant
    /// type), so the authorization-code flow cannot use it.
    OAuthGrantTypeUnsupported = "oauth_grant_type_unsupported", "the provider's grant type is not supported by the authorization-code flow";
    /// The provider's callback carries no authorization code (detail: the provider's `error`,
    /// such as `access_denied`, when it sent one).
    OAuthCallbackError = "oauth_callback_error", "the provider sent no authorization code";
    /// A token endpoint's answer is not a JSON object holding an access token.
    OAuthTokenResponseInvalid = "oauth_token_response_invalid", "the token response holds no access token";

    // ---- the form-based auth modes (spec §3.3, §3.9), appended ----
    /// The provider lacks what its auth mode needs to obtain credentials (detail: the
    /// attribute, such as `token_url` or `token_response`).
    AuthProviderIncomplete = "auth_provider_incomplete", "the provider lacks what its auth mode needs";
    /// The provider needs a part of its auth mode connkit does not implement (detail: the
    /// attribute, such as `token_request_auth_method` or `signature`).
    AuthModeUnsupported = "auth_mode_unsupported", "connkit cannot obtain credentials for this provider yet";
    /// The provider's token endpoint refused the credentials or could not be reached (detail:
    /// the HTTP status, when there was an answer).
    AuthProviderRefused = "auth_provider_refused", "the provider refused the credentials";
    /// The provider's answer holds no token where its auth mode looks for one.
    AuthTokenMissing = "auth_token_missing", "the provider's answer holds no token";
    /// A client certificate or its private key is not PEM text (detail: the member).
    PemInvalid = "pem_invalid", "the value is not a PEM certificate or key";
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious an issue is: errors reject the input, warnings only inform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The input is rejected.
    Error,
    /// The input is accepted, but something looks wrong.
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A JSON (or JavaScript) value type, as named in type errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonType {
    /// Absent (JavaScript `undefined`).
    Undefined,
    /// `null`.
    Null,
    /// `true` / `false`.
    Boolean,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object with fixed keys.
    Object,
    /// An object used as a map (only ever expected, never received).
    Record,
    /// A JavaScript value JSON cannot hold (function, symbol, bigint).
    Other,
}

impl JsonType {
    /// The type of a JSON value.
    pub fn of(value: &serde_json::Value) -> JsonType {
        match value {
            serde_json::Value::Null => JsonType::Null,
            serde_json::Value::Bool(_) => JsonType::Boolean,
            serde_json::Value::Number(_) => JsonType::Number,
            serde_json::Value::String(_) => JsonType::String,
            serde_json::Value::Array(_) => JsonType::Array,
            serde_json::Value::Object(_) => JsonType::Object,
        }
    }

    /// The lowercase name zod uses (`"string"`, `"record"`, …).
    pub const fn as_str(self) -> &'static str {
        match self {
            JsonType::Undefined => "undefined",
            JsonType::Null => "null",
            JsonType::Boolean => "boolean",
            JsonType::Number => "number",
            JsonType::String => "string",
            JsonType::Array => "array",
            JsonType::Object => "object",
            JsonType::Record => "record",
            JsonType::Other => "unknown",
        }
    }
}

/// Extra data an issue carries so that messages can be precise.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Detail {
    /// Nothing more to say.
    None,
    /// The JSON type that was received.
    Received(JsonType),
    /// The type that was expected and the one received.
    Expected {
        /// The type the schema wants.
        expected: JsonType,
        /// The type the input had.
        received: JsonType,
    },
    /// The limit that was crossed (keys, UTF-16 code units or bytes, depending on the code).
    Limit(usize),
    /// A name the message refers to (a lowercased duplicate key, a missing placeholder…).
    Name(String),
}

/// One problem found in an input, located by a JSON-style path such as `["tags", "Env"]`.
///
/// Path elements are strings, array indexes included (as in Nango's API).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Issue {
    code: ErrorCode,
    path: Vec<String>,
    severity: Severity,
    detail: Detail,
}

impl Issue {
    /// An error-severity issue with no detail.
    pub fn new(code: ErrorCode, path: Vec<String>) -> Issue {
        Issue {
            code,
            path,
            severity: Severity::Error,
            detail: Detail::None,
        }
    }

    /// A warning-severity issue with no detail.
    pub fn warning(code: ErrorCode, path: Vec<String>) -> Issue {
        Issue {
            code,
            path,
            severity: Severity::Warning,
            detail: Detail::None,
        }
    }

    /// The same issue with `detail` attached.
    pub fn with_detail(mut self, detail: Detail) -> Issue {
        self.detail = detail;
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Where the issue is, from the root of the validated value.
    pub fn path(&self) -> &[String] {
        &self.path
    }

    /// Error or warning.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The detail used in the message.
    pub fn detail(&self) -> &Detail {
        &self.detail
    }

    /// The same issue, located under `prefix` (e.g. `["tags"]`).
    pub fn prefixed(mut self, prefix: &[String]) -> Issue {
        if !prefix.is_empty() {
            let mut path = prefix.to_vec();
            path.append(&mut self.path);
            self.path = path;
        }
        self
    }

    /// English text for people. Never assert on it in tests: assert the code and path.
    ///
    /// Built by concatenation, not `format!`: the npm package's `tags` module then links no
    /// string formatting of its own (`crates/connkit-wasm/src/api/tags_buffer.rs`).
    pub fn message(&self) -> String {
        self.message_with(self.code.text())
    }

    /// [`Issue::message`] with `text`, which must be the code's [`ErrorCode::text`]: a host that
    /// keeps the texts of only the codes it can give (the npm package's modules) then links no
    /// other code's text.
    pub fn message_with(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 24);
        out.push_str(text);
        match &self.detail {
            Detail::None => {}
            Detail::Received(received) => {
                out.push_str(" (received ");
                out.push_str(received.as_str());
                out.push(')');
            }
            Detail::Expected { expected, received } => {
                out.push_str(": expected ");
                out.push_str(expected.as_str());
                out.push_str(", received ");
                out.push_str(received.as_str());
            }
            Detail::Limit(limit) => {
                out.push_str(" (limit ");
                push_decimal(&mut out, *limit);
                out.push(')');
            }
            Detail::Name(name) => {
                out.push_str(": \"");
                out.push_str(name);
                out.push('"');
            }
        }
        out
    }
}

/// Appends `n` in decimal.
fn push_decimal(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.code, self.message())
        } else {
            write!(
                f,
                "{} at {}: {}",
                self.code,
                self.path.join("."),
                self.message()
            )
        }
    }
}

/// Every issue found in one input; holds at least one error-severity issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    issues: Vec<Issue>,
}

impl ValidationError {
    /// Wraps `issues` if at least one of them is an error; otherwise gives them back.
    pub fn from_issues(issues: Vec<Issue>) -> Result<Vec<Issue>, ValidationError> {
        if issues.iter().any(|it| it.severity == Severity::Error) {
            Err(ValidationError { issues })
        } else {
            Ok(issues)
        }
    }

    /// All issues, errors and warnings, in the order they were found.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// Consumes the error, giving its issues.
    pub fn into_issues(self) -> Vec<Issue> {
        self.issues
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (idx, issue) in self.issues.iter().enumerate() {
            if idx > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{issue}")?;
        }
        Ok(())
    }
}

impl core::error::Error for ValidationError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_are_unique_snake_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "duplicate code {name}");
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}"
            );
            assert_eq!(ErrorCode::from_name(name), Some(code));
            assert_eq!(ErrorCode::ALL[code.index()], code);
            assert!(!code.doc().trim().is_empty());
        }
        assert_eq!(ErrorCode::from_name("nope"), None);
    }

    #[test]
    fn validation_error_needs_an_error() {
        let warn = Issue::warning(ErrorCode::FieldUnknown, vec!["x".into()]);
        assert!(ValidationError::from_issues(vec![warn.clone()]).is_ok());
        let err = Issue::new(ErrorCode::FieldRequired, vec!["y".into()]);
        let res = ValidationError::from_issues(vec![warn, err]);
        assert_eq!(res.map_err(|e| e.issues().len()), Err(2));
    }

    #[test]
    fn messages_carry_their_detail() {
        let with = |detail| Issue::new(ErrorCode::TagValueTooLong, Vec::new()).with_detail(detail);
        let text = ErrorCode::TagValueTooLong.text();
        assert_eq!(with(Detail::None).message(), text);
        for limit in [0, 7, 10, 255, 1_000_000, usize::MAX] {
            let message = with(Detail::Limit(limit)).message();
            assert_eq!(message, format!("{text} (limit {limit})"));
        }
        assert_eq!(
            with(Detail::Received(JsonType::Number)).message(),
            format!("{text} (received number)")
        );
        let expected = Detail::Expected {
            expected: JsonType::String,
            received: JsonType::Null,
        };
        assert_eq!(
            with(expected).message(),
            format!("{text}: expected string, received null")
        );
        assert_eq!(
            with(Detail::Name("env".into())).message(),
            format!("{text}: \"env\"")
        );
    }

    #[test]
    fn prefixing_puts_the_prefix_first() {
        let issue =
            Issue::new(ErrorCode::TagValueEmpty, vec!["k".into()]).prefixed(&["tags".into()]);
        assert_eq!(issue.path(), ["tags", "k"]);
    }
}

//! The auth modes whose connection obtains its credentials from the provider at connection
//! time, from what the end user's form posted (spec §3.3, §3.9): OAUTH2_CC (`oauth2_cc.rs`),
//! TWO_STEP (`two_step.rs`), BILL (`bill.rs`), AWS_SIGV4 (`aws.rs`, an STS endpoint of the
//! integration's), and those whose credentials connkit makes
//! itself, TBA and SIGNATURE (`stored.rs`) and JWT (`jwt.rs`, HMAC, RSA and P-256 signatures). Each is a set of pure functions: the provider's attributes typed,
//! the requests to send (`http.rs`, data the host sends), the answers read into the credentials
//! a connection stores, and failures in Nango's words with connkit's issue (`failure.rs`). The
//! host passes in the time and the random values and does the HTTP; whether stored credentials
//! need a refresh is [`crate::oauth2::expiry_decision`], as for OAUTH2.
//!
//! `template.rs` fills in the `${…}` templates of token requests as Nango's `interpolateString`
//! does; `pem.rs` reads PEM text as Nango's `formatPem`; `sign.rs` signs JWTs with RSA and P-256
//! private keys as jsonwebtoken does (JWT, TWO_STEP's `signature`, OAUTH2_CC's
//! `private_key_jwt`), `assertion.rs` makes TWO_STEP's JWT assertions and `saml.rs` its signed
//! SAML assertions; `xml_write.rs` and `xml_read.rs` write and read XML as fast-xml-parser does
//! for TWO_STEP's `body_format: xml`.
//!
//! Needs the `modes` feature (SHA-256 for the `${sha256…}` templates, SHA-1 for WSSE, RSA and
//! P-256 for the signatures). Knows nothing about
//! HTTP clients, storage or sessions, nor about the credentials a body carries as they are
//! (`credentials.rs`).

mod assertion;
mod aws;
mod bill;
mod expiry;
mod failure;
mod http;
mod jwt;
mod oauth2_cc;
mod pem;
mod saml;
mod sign;
mod stored;
mod template;
mod two_step;
mod xml_read;
mod xml_write;

pub use aws::{
    AwsSettings, AwsTarget, aws_connect_target, aws_request, aws_response, aws_stored_target,
    aws_unreachable,
};
pub use bill::{BillLogin, bill_request, bill_response, bill_unreachable};
pub use failure::{Failure, ModeError};
pub use http::{ClientIdentity, HttpRequest, HttpResponse, Method};
pub use jwt::{jwt_credentials, jwt_stored_inputs};
pub use oauth2_cc::{
    ClientCredentials, ClientCredentialsProvider, Obtained, client_credentials_config,
    client_credentials_request, client_credentials_response, client_credentials_unreachable,
};
pub use stored::{signature_credentials, tba_credentials};
pub use two_step::{
    TwoStepFlow, TwoStepNext, TwoStepProvider, preconfigured_credentials, two_step_stored_inputs,
    two_step_unreachable,
};
pub use xml_read::{XmlError, parse_xml, parse_xml_as_written};
pub use xml_write::build_xml;

/// The time and the random value a mode's templates read (`${now…}`, `${random}`).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Now, in Unix milliseconds.
    pub now_ms: i64,
    /// `${random}`: a fresh UUID.
    pub random: &'a str,
}

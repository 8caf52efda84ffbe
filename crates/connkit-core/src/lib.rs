//! connkit-core: Nango's connection rules as pure functions.
//!
//! Tags, tag filters, the provider catalogue and its form model, connection_config field
//! validation, URL interpolation, metadata, connect-session bodies and auth-webhook signatures,
//! each as a function from input to a normalised value or every [`Issue`] found; the OAuth 2
//! authorization-code flow ([`oauth2`], feature `oauth2`): authorize URLs, token requests and
//! responses, refresh decisions; the modes that obtain credentials from a form's values
//! ([`modes`], feature `modes`: OAUTH2_CC, TWO_STEP); and
//! [`request`], the requests of Nango's HTTP API (queries, paths, bodies) as a server receives
//! them, each answered with connkit's issues and Nango's own error list together.
//!
//! The crate does no I/O, holds no global state and never panics on any input. It knows nothing
//! about JavaScript values, HTTP or the DOM: the wasm, widget and server crates are glue over it.
//!
//! ```
//! use connkit_core::{ErrorCode, tags::validate_tags};
//!
//! let tags = validate_tags(&serde_json::json!({"End_User_Id": "u1"}))?;
//! assert_eq!(tags.get("end_user_id"), Some("u1"));
//!
//! let err = validate_tags(&serde_json::json!({"1a": ""})).unwrap_err();
//! let codes: Vec<ErrorCode> = err.issues().iter().map(|it| it.code()).collect();
//! assert_eq!(codes, [ErrorCode::TagKeyInvalid, ErrorCode::TagValueEmpty]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
// No std, so that the npm package's wasm modules link none (see Cargo.toml); every file takes
// `String`, `Vec` and the like from `prelude`.
#![no_std]

#[macro_use]
extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

/// What std's prelude gives, from `alloc`: `use crate::prelude::*;` in each file that needs it.
mod prelude {
    pub(crate) use alloc::borrow::ToOwned;
    #[cfg(feature = "modes")]
    pub(crate) use alloc::boxed::Box;
    pub(crate) use alloc::string::{String, ToString};
    pub(crate) use alloc::vec::Vec;
}

mod ascii;
pub mod auth;
pub mod catalogue;
pub mod colour;
pub mod credentials;
pub mod email;
mod error;
pub mod field;
pub mod form;
pub mod ids;
pub mod interpolate;
pub mod js;
pub mod label;
pub mod lang;
pub mod limits;
pub mod metadata;
#[cfg(feature = "modes")]
pub mod modes;
pub mod nango;
#[cfg(feature = "oauth2")]
pub mod oauth2;
pub mod pattern;
pub mod request;
pub mod session;
pub mod submit;
pub mod tag_filter;
pub mod tags;
pub mod webhook;

pub use error::{Detail, ErrorCode, Issue, JsonType, Severity, ValidationError};

//! connkit-server's one integration-test binary: every endpoint and error path, called in
//! process (`oneshot` on `app()`) over a real database (a SQLite file in a temporary directory,
//! or with `CONNKIT_TEST_BACKEND=postgres` a PostgreSQL database: `api/db.rs`), with real
//! loopback HTTP servers where the server talks out (webhooks, credential tests, the local OAuth
//! provider). The OAuth tests serve the app on a loopback port too, and walk the flow as a
//! browser would: a WebSocket client, the redirects, the consent form. No mocks.
//!
//! Tests assert status codes, error codes and JSON paths, never English text. The conformance
//! vectors of `tests/vectors/` run over HTTP in `vectors.rs` and (the request vectors)
//! `requests.rs`.

#[path = "api/db.rs"]
mod db;
#[path = "api/oauth_support.rs"]
mod oauth_support;
#[path = "common/postgres.rs"]
mod postgres;
#[path = "api/support.rs"]
mod support;
#[path = "api/two_step_support.rs"]
mod two_step_support;

#[path = "api/auth.rs"]
mod auth;
#[path = "api/browser.rs"]
mod browser;
#[path = "api/catalogue.rs"]
mod catalogue;
#[path = "api/connections.rs"]
mod connections;
#[path = "api/copy.rs"]
mod copy;
#[path = "api/demo.rs"]
mod demo;
#[path = "api/instances.rs"]
mod instances;
#[path = "api/metadata.rs"]
mod metadata;
#[path = "api/modes_cc.rs"]
mod modes_cc;
#[path = "api/modes_signed.rs"]
mod modes_signed;
#[path = "api/modes_stored.rs"]
mod modes_stored;
#[path = "api/modes_two_step.rs"]
mod modes_two_step;
#[path = "api/modes_xml_saml.rs"]
mod modes_xml_saml;
#[path = "api/oauth.rs"]
mod oauth;
#[path = "api/oauth_refresh.rs"]
mod oauth_refresh;
#[path = "api/oauth_return.rs"]
mod oauth_return;
#[path = "api/outbox.rs"]
mod outbox;
#[path = "api/plumbing.rs"]
mod plumbing;
#[path = "api/reconnect.rs"]
mod reconnect;
#[path = "api/requests.rs"]
mod requests;
#[path = "api/search.rs"]
mod search;
#[path = "api/sessions.rs"]
mod sessions;
#[path = "api/store_faults.rs"]
mod store_faults;
#[path = "api/vectors.rs"]
mod vectors;

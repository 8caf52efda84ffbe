//! Every number a rule depends on, in one place (spec §1.2, §2.1, §6.1, §6.3, §6.5).
//!
//! Other crates read limits from here (e.g. the widget's `maxlength` attributes); none repeats them.

/// Most tag keys a tags object may have.
pub const TAG_MAX_COUNT: usize = 10;
/// Longest tag key, in UTF-16 code units.
pub const TAG_KEY_MAX_LEN: usize = 64;
/// Longest tag value, in UTF-16 code units.
pub const TAG_VALUE_MAX_LEN: usize = 255;
/// Longest end-user / organization id, display name or integration key, in UTF-16 code units.
pub const NAME_MAX_LEN: usize = 255;
/// Shortest accepted email (zod's `.min(5)` next to `.email()`).
pub const EMAIL_MIN_LEN: usize = 5;
/// Longest connection id, in UTF-16 code units.
pub const CONNECTION_ID_MAX_LEN: usize = 255;
/// Largest metadata object, in bytes of compact JSON. Nango has no limit besides its 75 MB
/// body limit; connkit picks 1 MiB so one connection cannot bloat every list response.
pub const METADATA_MAX_BYTES: usize = 1024 * 1024;
/// Longest API key, username or password in an auth body, in UTF-16 code units (spec §3.3).
pub const CREDENTIAL_MAX_LEN: usize = 1024;
/// Lifetime of a connect session token, in seconds (30 minutes, not extended on use).
pub const SESSION_TTL_SECS: u64 = 30 * 60;
/// `limit` of GET /connections when the query has none (Nango's default: 10,000 rows; spec §6.2).
pub const LIST_LIMIT_DEFAULT: usize = 10_000;
/// Smallest `limit` GET /connections accepts (`z.coerce.number().min(1)`).
pub const LIST_LIMIT_MIN: usize = 1;
/// Largest explicit `limit` GET /connections accepts (`.max(2000)`; only the default exceeds it).
pub const LIST_LIMIT_MAX: usize = 2000;
/// Longest `connectionId`, `search`, `endUserId` or `endUserOrganizationId` of GET /connections,
/// in UTF-16 code units (`z.string().min(1).max(255)`; `integrationId` has no maximum).
pub const LIST_QUERY_STRING_MAX_LEN: usize = 255;
/// How long before an OAuth 2 access token expires it is refreshed, in seconds, when the
/// provider sets no `token_expiration_buffer` (Nango's `REFRESH_MARGIN_MS`: 15 minutes).
pub const OAUTH2_REFRESH_MARGIN_SECS: u64 = 15 * 60;
/// After a failed refresh, how long a read that does not force a refresh is answered
/// `connection_refresh_backoff` without a new try, in milliseconds (`REFRESH_FAILURE_COOLDOWN_MS`).
pub const OAUTH2_REFRESH_BACKOFF_MS: u64 = 30_000;
/// Longest `return_url` a redirect-mode OAuth flow accepts, in bytes (connkit's own; the URL is
/// kept sealed with the flow until its callback).
pub const OAUTH_RETURN_URL_MAX_LEN: usize = 4096;
/// Longest AWS region an AWS_SIGV4 body or connection may name (`z.string().max(64)`, spec §3.3).
pub const AWS_REGION_MAX_LEN: usize = 64;
/// Shortest and longest AWS external id (`isValidAwsExternalId`: 2–1224 characters).
pub const AWS_EXTERNAL_ID_LEN: (usize, usize) = (2, 1224);
/// How long AWS temporary credentials last when the STS endpoint does not say, in milliseconds
/// (one hour, as Nango's `normalizeStsResponse` assumes).
pub const AWS_DEFAULT_EXPIRES_MS: i64 = 60 * 60 * 1000;
/// How long OAUTH2_CC credentials last when the token response says nothing of expiry, in
/// milliseconds (Nango's `DEFAULT_OAUTHCC_EXPIRES_AT_MS`: 55 minutes).
pub const OAUTH2_CC_DEFAULT_EXPIRES_MS: i64 = 55 * 60 * 1000;
/// How long BILL credentials last, in milliseconds (the `DEFAULT_EXPIRES_AT_MS` of Nango's
/// Bill client: 35 minutes; bill.com sessions idle out after 35).
pub const BILL_EXPIRES_MS: i64 = 35 * 60 * 1000;
/// How long TWO_STEP credentials last when neither the response nor the provider says
/// (`DEFAULT_INFINITE_EXPIRES_AT_MS`: `ms('99years')`, years of 365.25 days).
pub const TWO_STEP_DEFAULT_EXPIRES_MS: i64 = 99 * 31_557_600_000;

// Type declarations of the npm package `connkit`. Written by hand, except the `ErrorCode` union
// (`error-codes.d.ts`, generated from Rust by `cargo xtask codegen`). Pinned three ways: a
// `tsc --strict` type test (tests/node/types.test.ts), a test that holds every export's real
// results, over all conformance vectors, to these shapes (tests/node/contracts.test.mjs), and a
// test that the exported names are the ones declared here (tests/node/package.test.mjs).

import type { ErrorCode } from './error-codes.js';

export type { ErrorCode };

/** How serious an issue is: errors reject the input, warnings only inform. */
export type Severity = 'error' | 'warning';

/** One problem found in the input. */
export interface Issue {
  /** Stable snake_case code: branch on this, never on `message`. */
  code: ErrorCode;
  /** Where the problem is, from the argument's root (array indexes as strings). */
  path: string[];
  /** English text for people. */
  message: string;
  severity: Severity;
}

/** The input was accepted; `value` is the normalised result. */
export interface Ok<T> {
  ok: true;
  value: T;
}

/** The input was accepted; `warnings` lists what looks wrong without rejecting it. */
export interface OkWithWarnings<T> extends Ok<T> {
  warnings: Issue[];
}

/** The input was rejected: every issue found (at least one error, maybe warnings). */
export interface Failure {
  ok: false;
  issues: Issue[];
}

/** What every validator returns. Validators never throw. */
export type Result<T> = Ok<T> | Failure;
/** What validators that can warn return. */
export type ResultWithWarnings<T> = OkWithWarnings<T> | Failure;

/** Normalised tags: lowercase keys, string values, input order. */
export type Tags = Record<string, string>;

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Validates and normalises a tags object (keys lowercased). */
export function validateTags(input: unknown): Result<Tags>;
/** Parses the `tags[key]=value` filter of a `GET /connections` query string (one leading `?` allowed). */
export function parseTagFilterQuery(query: unknown): Result<Tags>;
/** The query string (`tags%5Bkey%5D=value&…`) for a filter given as a tags object. */
export function tagFilterToQuery(filter: unknown): Result<string>;
/**
 * Whether a connection's tags match a filter: every filter pair present with the same value.
 * `tags` is a tags object, or raw `[key, value]` pairs (keys compared lowercased, the last
 * duplicate wins). Issue paths start with `"filter"` or `"tags"`.
 */
export function matchesTagFilter(filter: unknown, tags: unknown): Result<boolean>;
/**
 * Applies `changes` (a string sets a key, `null` removes it) to `existing` tags and validates the
 * result. Issues in `changes` have paths relative to it; issues in `existing` start with `"existing"`.
 */
export function mergeTags(existing: unknown, changes: unknown): Result<Tags>;
/** zod 4.0.5's `z.string().email()` verdict, which Nango applies to emails. Never throws. */
export function isEmail(value: unknown): boolean;
/** Every error code, in declaration order. */
export function errorCodes(): ErrorCode[];
/** Every error code, in declaration order. */
export const ERROR_CODES: readonly ErrorCode[];

/** Metadata as Nango stores it. */
export type Metadata = { [key: string]: Json };
/** Validates metadata for `POST /connection/metadata` (replace). Warns about credential-like keys. */
export function validateMetadata(input: unknown): ResultWithWarnings<Metadata>;
/** Merges a metadata patch into `existing` (`PATCH /connection/metadata`) and validates the result. */
export function mergeMetadata(existing: unknown, patch: unknown): ResultWithWarnings<Metadata>;

/** A normalised `POST /connect/sessions` (or `/reconnect`) body, in Nango's names. */
export interface ConnectSessionRequest {
  /** Reconnect bodies only. */
  connection_id?: string;
  /** Reconnect bodies only. */
  integration_id?: string;
  end_user?: {
    id: string;
    email?: string;
    display_name?: string;
    /** As given (keys not lowercased). */
    tags?: Record<string, string>;
  };
  organization?: { id: string; display_name?: string };
  allowed_integrations?: string[];
  integrations_config_defaults?: Record<
    string,
    {
      user_scopes?: string;
      authorization_params?: Record<string, string>;
      connection_config?: { [key: string]: Json };
    }
  >;
  overrides?: Record<string, { docs_connect?: string }>;
  webhook_url_override?: string;
  /** The tags the session stores: generated from end_user/organization, overridden by `tags`. */
  tags: Tags;
}
/** Validates a `POST /connect/sessions` body. */
export function validateConnectSessionRequest(body: unknown): Result<ConnectSessionRequest>;
/** Validates a `POST /connect/sessions/reconnect` body. */
export function validateReconnectSessionRequest(body: unknown): Result<ConnectSessionRequest>;

/** Nango's auth modes (others may appear in newer catalogues). */
export type AuthMode =
  | 'OAUTH2' | 'OAUTH1' | 'OAUTH2_CC' | 'API_KEY' | 'BASIC' | 'APP' | 'CUSTOM' | 'NONE' | 'TBA'
  | 'JWT' | 'BILL' | 'TWO_STEP' | 'SIGNATURE' | 'MCP_OAUTH2' | 'MCP_OAUTH2_GENERIC'
  | 'INSTALL_PLUGIN' | 'AWS_SIGV4' | 'APP_STORE' | 'TABLEAU' | (string & {});

/** One providers.yaml field schema (under `credentials`, `connection_config`, …). */
export interface ProviderFieldSchema {
  type?: string;
  title?: string;
  description?: string;
  example?: string;
  pattern?: string;
  format?: string;
  enum?: string[];
  optional?: boolean;
  hidden?: boolean;
  automated?: boolean;
  secret?: boolean;
  default_value?: string;
  prefix?: string;
  suffix?: string;
  doc_section?: string;
  order?: number;
  [key: string]: unknown;
}

/** A resolved providers.yaml entry (e.g. the `data` of Nango's `GET /providers/:name`). */
export interface ProviderEntry {
  /** The provider's name (used in messages; optional). */
  name?: string;
  display_name: string;
  auth_mode: AuthMode;
  docs?: string;
  docs_connect?: string;
  credentials?: Record<string, ProviderFieldSchema>;
  connection_config?: Record<string, ProviderFieldSchema>;
  integration_config?: Record<string, ProviderFieldSchema>;
  assertion_option?: Record<string, ProviderFieldSchema>;
  [key: string]: unknown;
}

/**
 * A resolved providers.yaml entry as a catalogue holds it: `display_name` and `auth_mode` checked,
 * every other attribute as written. A malformed attribute is kept and reported in the
 * catalogue's `warnings`; without one, the entry is a `ProviderEntry`.
 */
export interface CatalogueEntry {
  display_name: string;
  auth_mode: AuthMode;
  [key: string]: Json;
}

/** One provider of a catalogue, aliases resolved. */
export interface CatalogueProvider {
  name: string;
  /** The provider this one is an alias of. */
  aliasOf: string | null;
  /** The resolved entry, ready for `buildForm`. */
  entry: CatalogueEntry;
}
/** Reads Nango's providers.yaml document (parsed to JSON): providers in file order. */
export function parseCatalogue(document: unknown): ResultWithWarnings<CatalogueProvider[]>;

/** What the session and the integration preconfigure. */
export interface FormOptions {
  /** The session's `integrations_config_defaults[integration].connection_config`. */
  connectionConfig?: { [key: string]: Json };
  /** The integration's `credentials_label` (field name → label). */
  credentialsLabel?: Record<string, string>;
  /** The integration's `preconfigured_credentials`. */
  preconfiguredCredentials?: string[];
  /** The session's `overrides[integration].docs_connect`. */
  docsConnect?: string;
}

/** The groups a Connect UI submission has. */
export type FieldGroup = 'credentials' | 'params' | 'assertion_option';

/** What a field accepts. */
export type FieldRule =
  | { kind: 'any' }
  | { kind: 'oneOf'; values: string[]; optional: boolean }
  | {
      kind: 'text';
      optional: boolean;
      nonEmpty: boolean;
      format: 'hostname' | 'uri' | 'uuid' | 'email' | (string & {}) | null;
      /** A JavaScript RegExp source, tested unanchored with the engine's own RegExp. */
      pattern: string | null;
    };

/** One field of the form. */
export interface FormField {
  group: FieldGroup;
  name: string;
  label: string;
  description: string | null;
  placeholder: string;
  optional: boolean;
  kind: 'text' | 'password' | 'select';
  /** Select options (`kind: 'select'`), else null. */
  options: { value: string; label: string }[] | null;
  /** The initial value; absent when the field starts empty-handed (a hidden field without default). */
  initial?: Json;
  hidden: boolean;
  preconfigured: boolean;
  prefix: string | null;
  suffix: string | null;
  docLink: string | null;
  order: number;
  rule: FieldRule;
}

/** The Connect UI form model. */
export interface Form {
  authMode: AuthMode;
  /** Which `@nangohq/frontend` call submits it. */
  submit: 'create' | 'popup' | 'credentials';
  connectDirectly: boolean;
  docsConnect: string | null;
  awsExternalId: string | null;
  fields: FormField[];
}
/**
 * The Connect UI form for a provider; `warnings` are the provider's malformed attributes. The
 * form object returned stands for this provider and these options: give it to
 * `validateConnectionConfig` on each keystroke and the form is not built again.
 */
export function buildForm(provider: unknown, options?: FormOptions | null): ResultWithWarnings<Form>;

/** Values grouped as Connect UI submits them (non-empty groups only). */
export interface Submission {
  credentials?: Record<string, string>;
  params?: Record<string, string>;
  assertion_option?: Record<string, string>;
}
/** `FormOptions`, plus `group` to validate one group's object alone (e.g. a connection_config as `'params'`). */
export interface ConnectionConfigOptions extends FormOptions {
  group?: FieldGroup;
}
/**
 * Validates a Connect UI submission `{ credentials, params, assertion_option }` (or, with
 * `options.group`, that group's object alone) against the provider's form. Issue paths are
 * `[group, field]`. `pattern` fields run on this JavaScript engine's RegExp.
 *
 * `provider` is a provider entry, or a form `buildForm` returned: then the values are checked
 * against that form as it was built (changing the object afterwards changes nothing), and
 * `options` is read for `group` only.
 */
export function validateConnectionConfig(
  provider: Form | unknown,
  values: unknown,
  options?: ConnectionConfigOptions | null,
): ResultWithWarnings<Submission>;

/** Interpolates `${connectionConfig.key}` placeholders of an authorization or token URL template. */
export function interpolateUrl(
  template: unknown,
  connectionConfig?: unknown,
  options?: { encoding?: 'component' | 'raw' } | null,
): Result<string>;

/** The headers Nango signs a webhook with. */
export interface WebhookSignatures {
  /** `X-Nango-Hmac-Sha256`: hex HMAC-SHA256 of the body. */
  hmacSha256: string;
  /** `X-Nango-Signature` (legacy): hex SHA-256 of secret followed by body. */
  legacy: string;
}
/** Signs a webhook body (the exact string or bytes sent). */
export function signWebhook(secret: unknown, body: unknown): Result<WebhookSignatures>;
/** Verifies a received webhook: the HMAC header when present, else the legacy one. */
export function verifyWebhook(
  secret: unknown,
  body: unknown,
  signatures?: Partial<WebhookSignatures> | null,
): Result<true>;

/** Resolves once the package is ready; it always is after `import` (Node instantiates synchronously, browsers await at import). */
export function init(): Promise<void>;

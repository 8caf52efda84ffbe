// Pins the package's TypeScript surface: compiled with `tsc --strict` against the installed
// package. Every export is called with the argument types it documents, and every result is
// narrowed to the types users rely on; `@ts-expect-error` lines prove that wrong uses fail.
import {
  validateTags, parseTagFilterQuery, tagFilterToQuery, matchesTagFilter, mergeTags, isEmail,
  errorCodes, ERROR_CODES, validateMetadata, mergeMetadata, validateConnectSessionRequest,
  validateReconnectSessionRequest, parseCatalogue, buildForm, validateConnectionConfig,
  interpolateUrl, signWebhook, verifyWebhook, init,
} from 'connkit';
import type {
  ErrorCode, Issue, Result, Tags, Form, FormField, Submission, CatalogueProvider, Metadata,
  ConnectSessionRequest, WebhookSignatures, ProviderEntry, CatalogueEntry, FieldRule, Severity,
} from 'connkit';

const tags: Result<Tags> = validateTags({ Env: 'prod' });
if (tags.ok) {
  const env: string | undefined = tags.value.env;
  void env;
} else {
  const first: Issue | undefined = tags.issues[0];
  const code: ErrorCode | undefined = first?.code;
  const path: string[] | undefined = first?.path;
  const severity: Severity | undefined = first?.severity;
  void [code, path, severity];
  // @ts-expect-error a failure has no value
  void tags.value;
}

const filter: Result<Tags> = parseTagFilterQuery('tags[env]=prod');
const query: Result<string> = tagFilterToQuery({ env: 'prod' });
const matches: Result<boolean> = matchesTagFilter({ env: 'prod' }, [['env', 'prod']]);
const merged: Result<Tags> = mergeTags({ env: 'prod' }, { env: null });
const email: boolean = isEmail('a@b.co');
const codes: ErrorCode[] = errorCodes();
const frozen: readonly ErrorCode[] = ERROR_CODES;
// @ts-expect-error ERROR_CODES is read-only
ERROR_CODES.push('tag_key_invalid');
// @ts-expect-error not a code
const notACode: ErrorCode = 'no_such_code';

const metadata = validateMetadata({ a: 1 });
if (metadata.ok) {
  const value: Metadata = metadata.value;
  const warnings: Issue[] = metadata.warnings;
  void [value, warnings];
}
const patched = mergeMetadata({ a: 1 }, { b: [1, 'x', null] });

const session = validateConnectSessionRequest({ tags: { end_user_id: 'u1' } });
if (session.ok) {
  const request: ConnectSessionRequest = session.value;
  const stored: Tags = request.tags;
  const userId: string | undefined = request.end_user?.id;
  void [stored, userId];
}
const reconnect = validateReconnectSessionRequest({ connection_id: 'c', integration_id: 'i' });

const catalogue = parseCatalogue({ acme: { display_name: 'Acme', auth_mode: 'API_KEY' } });
if (catalogue.ok) {
  const first: CatalogueProvider | undefined = catalogue.value[0];
  const entry: CatalogueEntry | undefined = first?.entry;
  if (entry) buildForm(entry);
}

const provider: ProviderEntry = { display_name: 'Acme', auth_mode: 'API_KEY' };
const form = buildForm(provider, { connectionConfig: { subdomain: 'x' }, credentialsLabel: { apiKey: 'Key' } });
if (form.ok) {
  const built: Form = form.value;
  const field: FormField | undefined = built.fields[0];
  const rule: FieldRule | undefined = field?.rule;
  if (rule?.kind === 'text') {
    const pattern: string | null = rule.pattern;
    void pattern;
  }
  const submit: 'create' | 'popup' | 'credentials' = built.submit;
  void submit;
}
// @ts-expect-error options are typed
buildForm(provider, { connectionConfig: 'nope' });

const config = validateConnectionConfig(provider, { params: { subdomain: 'x' } }, { group: 'params' });
if (config.ok) {
  const submission: Submission = config.value;
  const params: Record<string, string> | undefined = submission.params;
  void params;
}
// @ts-expect-error group is one of three names
validateConnectionConfig(provider, {}, { group: 'nope' });

const url: Result<string> = interpolateUrl('https://${connectionConfig.x}.io', { x: 'a' }, { encoding: 'raw' });
const signed = signWebhook('secret', new TextEncoder().encode('{}'));
if (signed.ok) {
  const sigs: WebhookSignatures = signed.value;
  const verified: Result<true> = verifyWebhook('secret', '{}', { hmacSha256: sigs.hmacSha256 });
  void verified;
}
const ready: Promise<void> = init();

void [filter, query, matches, merged, email, codes, frozen, notACode, patched, reconnect, url, ready];

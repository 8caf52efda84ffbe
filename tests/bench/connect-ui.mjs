// Connect UI's own way of checking a connect form, the reference of the connect-form speed row
// (connect-form.bench.mjs) and of the size anchor entries/connect-ui.js: the form's zod 4.0.5
// schema built from the provider entry as `packages/connect-ui/src/views/Go.tsx` builds it, with
// `jsonSchemaToZod` from `packages/connect-ui/src/lib/utils.ts` (Nango at the commit
// docs/nango-wire.md names; spec §4.3), and zod's JIT off as Connect UI configures it
// (`lib/zod-config.ts`). Only the provider's part is built: no session defaults, no
// preconfigured credentials, no TWO_STEP fallback fields (none of the benchmark's providers has
// them).
//
// Knows nothing about connkit. Importing it builds nothing.
import { z } from 'zod';

/** Connect UI's base credential fields per auth mode (`formSchema` in Go.tsx). */
function baseCredentials(authMode) {
  const required = () => z.string().min(1);
  switch (authMode) {
    case 'API_KEY':
      return { apiKey: required() };
    case 'BASIC':
    case 'SIGNATURE':
      return { username: required(), password: required() };
    case 'OAUTH2_CC':
      return {
        client_id: required(),
        client_secret: required(),
        client_certificate: required().optional(),
        client_private_key: required().optional(),
      };
    case 'TBA':
      return {
        oauth_client_id_override: required(),
        oauth_client_secret_override: required(),
        token_id: required(),
        token_secret: required(),
      };
    case 'BILL':
      return { username: required(), password: required(), organization_id: required(), dev_key: required() };
    case 'AWS_SIGV4':
      return { role_arn: required() };
    default:
      return {};
  }
}

/** `jsonSchemaToZod` (lib/utils.ts): one field's zod schema. */
export function jsonSchemaToZod(schema) {
  if (schema.hidden) {
    return z.string().optional();
  }
  if (schema.enum && schema.enum.length > 0) {
    const enumSchema = z.enum(schema.enum);
    if ('optional' in schema && schema.optional === true) {
      return z.union([enumSchema, z.literal('')]);
    }
    return enumSchema;
  }
  let fieldString = z.string();
  if (schema.format === 'hostname') {
    fieldString = fieldString.regex(/^[a-zA-Z0-9.-]+$/, 'Invalid hostname');
  } else if (schema.format === 'uuid') {
    fieldString = fieldString.uuid();
  } else if (schema.format === 'uri') {
    fieldString = fieldString.url();
  } else if (schema.format === 'email') {
    fieldString = fieldString.email();
  } else if (typeof schema.default_value === 'undefined') {
    fieldString = fieldString.min(1, 'This field is required');
  }
  if (schema.pattern) {
    fieldString = fieldString.regex(new RegExp(schema.pattern), { message: `Incorrect ${schema.title}` });
  }
  if ('optional' in schema && schema.optional === true) {
    return z.union([fieldString, z.literal('')]);
  }
  return fieldString;
}

/** The form's schema, as Go.tsx's `useMemo` builds it once per provider. */
export function connectUiFormSchema(provider) {
  const credentials = baseCredentials(provider.auth_mode);
  if (provider.auth_mode === 'OAUTH2_CC' && provider.token_request_auth_method === 'private_key_jwt') {
    credentials.client_secret = z.string().optional();
  }
  for (const [name, schema] of Object.entries(provider.credentials ?? {})) {
    if (!schema.automated) credentials[name] = jsonSchemaToZod(schema);
  }
  const params = {};
  for (const [name, schema] of Object.entries(provider.connection_config ?? {})) {
    if (!schema.automated) params[name] = jsonSchemaToZod(schema);
  }
  const assertion = {};
  for (const [name, schema] of Object.entries(provider.assertion_option ?? {})) {
    assertion[name] = jsonSchemaToZod(schema);
  }
  return z.object({
    ...(Object.keys(credentials).length > 0 ? { credentials: z.object(credentials) } : {}),
    ...(Object.keys(params).length > 0 ? { params: z.object(params) } : {}),
    ...(Object.keys(assertion).length > 0 ? { assertion_option: z.object(assertion) } : {}),
  });
}

/** zod as Connect UI runs it: no JIT (its CSP has no `unsafe-eval`). */
export function configureZodAsConnectUi() {
  z.config({ jitless: true });
}

// The tags rule (spec §1.2) written for each library the benchmark compares with connkit. Each
// `make*` returns `validate(input) -> { ok: true, value } | { ok: false, issues }`, normalising
// keys to lowercase like connkit. Shared by the benchmark and the bundle-size entries.
import { z } from 'zod';
import * as v from 'valibot';
import { TAG_KEY_PATTERN as KEY, nangoTagsSchema } from '../compat/zod/nango-schema.mjs';

// zod 4.0.5 exactly as Nango writes it (the differential test's schema): the email schema is
// built inside the record-level check, per call.
export function makeZodNango() {
  const tagsSchema = nangoTagsSchema();
  return (input) => {
    const r = tagsSchema.safeParse(input);
    return r.success ? { ok: true, value: r.data } : { ok: false, issues: r.error.issues };
  };
}

// The same zod schema with the email schema hoisted out of the refinement.
export function makeZodHoisted() {
  const email = z.string().email().min(5);
  const tagsSchema = z
    .record(z.string().regex(KEY).max(64), z.string().min(1).max(255))
    .superRefine((tags, ctx) => {
      const entries = Object.entries(tags);
      if (entries.length > 10) {
        ctx.addIssue({ code: 'custom', message: 'Tags cannot contain more than 10 keys' });
        return;
      }
      const seen = new Set();
      for (const [key, value] of entries) {
        const lower = key.toLowerCase();
        if (seen.has(lower)) ctx.addIssue({ code: 'custom', message: 'duplicate' });
        seen.add(lower);
        if (lower === 'end_user_email' && !email.safeParse(value).success) ctx.addIssue({ code: 'custom', message: 'email' });
      }
    })
    .transform((tags) => Object.fromEntries(Object.entries(tags).map(([k, val]) => [k.toLowerCase(), val])));
  return (input) => {
    const r = tagsSchema.safeParse(input);
    return r.success ? { ok: true, value: r.data } : { ok: false, issues: r.error.issues };
  };
}

// valibot 1.5.0, the same rule.
export function makeValibot() {
  const email = v.pipe(v.string(), v.email(), v.minLength(5));
  const schema = v.pipe(
    v.record(v.pipe(v.string(), v.regex(KEY), v.maxLength(64)), v.pipe(v.string(), v.minLength(1), v.maxLength(255))),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const entries = Object.entries(dataset.value);
      if (entries.length > 10) {
        addIssue({ message: 'too many' });
        return;
      }
      const seen = new Set();
      for (const [key, value] of entries) {
        const lower = key.toLowerCase();
        if (seen.has(lower)) addIssue({ message: 'duplicate' });
        seen.add(lower);
        if (lower === 'end_user_email' && !v.is(email, value)) addIssue({ message: 'email' });
      }
    }),
    v.transform((tags) => Object.fromEntries(Object.entries(tags).map(([k, val]) => [k.toLowerCase(), val]))),
  );
  return (input) => {
    const r = v.safeParse(schema, input, { abortEarly: false });
    return r.success ? { ok: true, value: r.output } : { ok: false, issues: r.issues };
  };
}

/** The JSON Schema ajv compiles (standalone); duplicates and the email tag are checked after it. */
export const TAGS_JSON_SCHEMA = {
  type: 'object',
  maxProperties: 10,
  propertyNames: { pattern: '^[a-zA-Z][a-zA-Z0-9_\\-./]*$', maxLength: 64 },
  additionalProperties: { type: 'string', minLength: 1, maxLength: 255 },
};

// ajv standalone: `validate` is the precompiled module's function (allErrors, like connkit).
// The duplicate and email checks run only when the schema passed, as zod's refinements do in
// Nango; with `everyCheck` they run always, so that it reports every problem, as connkit does
// (same work on the invalid object; printed for comparison, the targets use the first).
export function makeAjv(validate, everyCheck = false) {
  const email = /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
  return (input) => {
    const issues = validate(input) ? [] : [...validate.errors];
    const value = {};
    if (issues.length === 0 || (everyCheck && typeof input === 'object' && input !== null && !Array.isArray(input))) {
      for (const key of Object.keys(input)) {
        const lower = key.toLowerCase();
        if (Object.hasOwn(value, lower)) issues.push({ message: 'duplicate' });
        const val = input[key];
        if (lower === 'end_user_email' && !(val.length >= 5 && email.test(val))) issues.push({ message: 'email' });
        value[lower] = val;
      }
    }
    return issues.length === 0 ? { ok: true, value } : { ok: false, issues };
  };
}

// A hand-written JavaScript floor: one pass, no library.
export function makeFloor() {
  const email = /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
  return (input) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return { ok: false, issues: [{ code: 'tags_not_object', path: [] }] };
    }
    const issues = [];
    const value = {};
    const keys = Object.keys(input);
    for (const key of keys) {
      const val = input[key];
      if (!KEY.test(key)) issues.push({ code: 'tag_key_invalid', path: [key] });
      if (key.length > 64) issues.push({ code: 'tag_key_too_long', path: [key] });
      if (typeof val !== 'string') issues.push({ code: 'tag_value_not_string', path: [key] });
      else if (val.length === 0) issues.push({ code: 'tag_value_empty', path: [key] });
      else if (val.length > 255) issues.push({ code: 'tag_value_too_long', path: [key] });
      const lower = key.toLowerCase();
      if (Object.hasOwn(value, lower)) issues.push({ code: 'tag_key_duplicate', path: [key] });
      if (lower === 'end_user_email' && typeof val === 'string' && !(val.length >= 5 && email.test(val))) {
        issues.push({ code: 'tag_end_user_email_invalid', path: [key] });
      }
      value[lower] = val;
    }
    if (keys.length > 10) issues.push({ code: 'tags_too_many', path: [] });
    return issues.length === 0 ? { ok: true, value } : { ok: false, issues };
  };
}

// Nango's connection-tags schema as Nango writes it for zod 4.0.5 (spec §1.2, §1.3), the one
// copy the differential test (diff.mjs) and the benchmark (tests/bench/libraries.mjs) share, so
// connkit is held to, and measured against, the same thing. Written from the spec's facts: a
// record of key and value schemas with Nango's messages, one record-level check (the count, then
// duplicates after lowercasing, then the `end_user_email` tag, whose email schema is built on
// each call), then the transform that lowercases keys.
//
// Knows nothing about connkit. Importing it builds nothing (bundles that do not call
// `nangoTagsSchema` leave zod out).
import { z } from 'zod';

export const TAG_MAX_COUNT = 10;
export const TAG_KEY_MAX_LENGTH = 64;
export const TAG_VALUE_MAX_LENGTH = 255;
export const TAG_KEY_PATTERN = /^[a-zA-Z][a-zA-Z0-9_\-./]*$/;

/** The record-level check's messages for `tags` (every key and value already valid). */
function tagsCheckMessages(tags) {
  const entries = Object.entries(tags);
  if (entries.length > TAG_MAX_COUNT) return [`Tags cannot contain more than ${TAG_MAX_COUNT} keys`];
  const messages = [];
  const seen = new Set();
  for (const [key, value] of entries) {
    const lower = key.toLowerCase();
    if (seen.has(lower)) messages.push(`Duplicate tag key after case normalization: "${lower}"`);
    seen.add(lower);
    if (lower === 'end_user_email' && !z.string().email().min(5).safeParse(value).success) {
      messages.push('Tag "end_user_email" must be a valid email');
    }
  }
  return messages;
}

/** A new instance of Nango's `connectionTagsSchema`. */
export function nangoTagsSchema() {
  const key = z
    .string()
    .regex(TAG_KEY_PATTERN, {
      message: 'Tag keys must start with a letter and contain only alphanumerics, underscores, hyphens, periods, or slashes',
    })
    .max(TAG_KEY_MAX_LENGTH, { message: `Tag keys must be at most ${TAG_KEY_MAX_LENGTH} characters` });
  const value = z
    .string()
    .min(1)
    .max(TAG_VALUE_MAX_LENGTH, { message: `Tag values must be at most ${TAG_VALUE_MAX_LENGTH} characters` });
  return z
    .record(key, value)
    .check((payload) => {
      for (const message of tagsCheckMessages(payload.value)) {
        payload.issues.push({ code: 'custom', message, input: payload.value });
      }
    })
    .transform((tags) => Object.fromEntries(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v])));
}

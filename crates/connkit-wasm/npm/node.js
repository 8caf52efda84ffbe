// Node entry (ESM): both wasm modules are instantiated synchronously at import, so every export
// works without an init step. `init()` exists for code shared with browsers; it does nothing.
import { readFileSync } from 'node:fs';
import { initSync as initTags } from './wasm/connkit_tags.js';
import { initSync as initConnect } from './wasm/connkit_connect.js';
import { errorCodes } from './wasm/connkit_tags.js';

initTags({ module: readFileSync(new URL('./wasm/connkit_tags_bg.wasm', import.meta.url)) });
initConnect({ module: readFileSync(new URL('./wasm/connkit_connect_bg.wasm', import.meta.url)) });

export {
  validateTags, tagFilterToQuery, matchesTagFilter, mergeTags, isEmail, errorCodes,
} from './wasm/connkit_tags.js';
export {
  parseTagFilterQuery, parseCatalogue, buildForm, validateConnectionConfig, interpolateUrl,
  validateMetadata, mergeMetadata, validateConnectSessionRequest, validateReconnectSessionRequest,
  signWebhook, verifyWebhook,
} from './wasm/connkit_connect.js';

export const ERROR_CODES = Object.freeze(errorCodes());

export function init() {
  return Promise.resolve();
}

// Browser and bundler entry of the small wasm module (tags, filters, email, codes). The glue
// fetches wasm/connkit_tags_bg.wasm next to itself; bundlers emit it as an asset.
import initTags, { errorCodes } from './wasm/connkit_tags.js';

await initTags();

export {
  validateTags, tagFilterToQuery, matchesTagFilter, mergeTags, isEmail, errorCodes,
} from './wasm/connkit_tags.js';

export const ERROR_CODES = Object.freeze(errorCodes());

// Browser and bundler entry of the tag-filter wasm module (filter query strings, matching, tag edits),
// loaded only when one of its exports is used. Every export depends on `ready` (see tags.js).
import init, * as glue from './wasm/connkit_filter.js';

const ready = await init();

export const tagFilterToQuery = ready && glue.tagFilterToQuery;
export const matchesTagFilter = ready && glue.matchesTagFilter;
export const mergeTags = ready && glue.mergeTags;

// A page that builds and applies tag filters (the `filter` module).
import { matchesTagFilter, mergeTags, tagFilterToQuery } from 'connkit';
window.filters = { matchesTagFilter, mergeTags, tagFilterToQuery };

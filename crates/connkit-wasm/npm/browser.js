// Browser and bundler entry: every module is ready when the import resolves (top-level await),
// so `init()` has nothing left to do.
export * from './tags.js';
export * from './filter.js';
export * from './connect.js';

export function init() {
  return Promise.resolve();
}

// Node entry (ESM): the wasm modules are instantiated synchronously at import, so every export
// works without an init step. `init()` exists for code shared with browsers; it does nothing.
// Exports depend on the instantiated modules (see tags.js), so bundling for Node keeps them.
import { readFileSync } from 'node:fs';
import * as tags from './wasm/connkit_tags.js';
import * as filter from './wasm/connkit_filter.js';
import * as connect from './wasm/connkit_connect.js';
import { fastTags } from './fast.js';

const load = (name) => ({ module: readFileSync(new URL(`./wasm/${name}_bg.wasm`, import.meta.url)) });
const t = fastTags(tags, tags.initSync(load('connkit_tags')).memory);
const f = filter.initSync(load('connkit_filter')) && filter;
const c = connect.initSync(load('connkit_connect')) && connect;

export const validateTags = t.validateTags;
export const isEmail = t.isEmail;
export const errorCodes = t.errorCodes;
export const ERROR_CODES = Object.freeze(t.errorCodes());

export const parseTagFilterQuery = c.parseTagFilterQuery;
export const tagFilterToQuery = f.tagFilterToQuery;
export const matchesTagFilter = f.matchesTagFilter;
export const mergeTags = f.mergeTags;

export const parseCatalogue = c.parseCatalogue;
export const buildForm = c.buildForm;
export const validateConnectionConfig = c.validateConnectionConfig;
export const interpolateUrl = c.interpolateUrl;
export const validateMetadata = c.validateMetadata;
export const mergeMetadata = c.mergeMetadata;
export const validateConnectSessionRequest = c.validateConnectSessionRequest;
export const validateReconnectSessionRequest = c.validateReconnectSessionRequest;
export const signWebhook = c.signWebhook;
export const verifyWebhook = c.verifyWebhook;

export function init() {
  return Promise.resolve();
}

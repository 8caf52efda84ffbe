// Browser and bundler entry of the larger wasm module (forms, connection_config, catalogue,
// interpolation, query parsing, metadata, sessions, webhooks), loaded only when one of its
// exports is used. Every export depends on `ready` (see tags.js).
import init, * as glue from './wasm/connkit_connect.js';

const ready = await init();

export const parseTagFilterQuery = ready && glue.parseTagFilterQuery;
export const parseCatalogue = ready && glue.parseCatalogue;
export const buildForm = ready && glue.buildForm;
export const validateConnectionConfig = ready && glue.validateConnectionConfig;
export const interpolateUrl = ready && glue.interpolateUrl;
export const validateMetadata = ready && glue.validateMetadata;
export const mergeMetadata = ready && glue.mergeMetadata;
export const validateConnectSessionRequest = ready && glue.validateConnectSessionRequest;
export const validateReconnectSessionRequest = ready && glue.validateReconnectSessionRequest;
export const signWebhook = ready && glue.signWebhook;
export const verifyWebhook = ready && glue.verifyWebhook;

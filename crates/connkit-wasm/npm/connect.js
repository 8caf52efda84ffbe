// Browser and bundler entry of the larger wasm module (forms, connection_config, catalogue,
// interpolation, query parsing, metadata, sessions, webhooks). Loaded only if one of its exports
// is used (the package has no side effects, so bundlers drop it otherwise).
import initConnect from './wasm/connkit_connect.js';

await initConnect();

export {
  parseTagFilterQuery, parseCatalogue, buildForm, validateConnectionConfig, interpolateUrl,
  validateMetadata, mergeMetadata, validateConnectSessionRequest, validateReconnectSessionRequest,
  signWebhook, verifyWebhook,
} from './wasm/connkit_connect.js';

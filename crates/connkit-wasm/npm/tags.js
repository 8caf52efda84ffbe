// Browser and bundler entry of the small wasm module (validateTags, email, codes). The glue
// fetches wasm/connkit_tags_bg.wasm next to itself; bundlers emit it as an asset.
//
// Every export depends on `ready`, the instantiated module: the package declares no side
// effects, so a bundler keeps the instantiation exactly when one of these exports is used.
import init, * as glue from './wasm/connkit_tags.js';
import { fastValidateTags } from './fast.js';

const ready = await init();

export const validateTags = ready && fastValidateTags(glue, ready.memory);
export const isEmail = ready && glue.isEmail;
export const errorCodes = ready && glue.errorCodes;
export const ERROR_CODES = ready && Object.freeze(glue.errorCodes());

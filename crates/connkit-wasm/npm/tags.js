// Browser and bundler entry of the small wasm module (validateTags, email, codes). The glue
// fetches wasm/connkit_tags_bg.wasm next to itself; bundlers emit it as an asset.
//
// Every export depends on `ready`, the instantiated module: the package declares no side
// effects, so a bundler keeps the instantiation exactly when one of these exports is used.
import init, * as glue from './wasm/connkit_tags.js';
import { fastTags } from './fast.js';

const ready = await init();
const tags = ready && fastTags(glue, ready.memory);

export const validateTags = ready && tags.validateTags;
export const isEmail = ready && tags.isEmail;
export const errorCodes = ready && tags.errorCodes;
export const ERROR_CODES = ready && Object.freeze(tags.errorCodes());

// Browser and bundler entry of the small wasm module (validateTags, email, codes): load.js
// compiles wasm/connkit_tags_bg.wasm (bundlers emit it as an asset) and the glue instantiates it.
//
// Every export depends on `ready`, the instantiated module: the package declares no side
// effects, so a bundler keeps the instantiation exactly when one of these exports is used.
import * as glue from './wasm/connkit_tags.js';
import { fastTags } from './fast.js';
import { compile } from './load.js';

const ready = glue.initSync({ module: await compile(new URL('./wasm/connkit_tags_bg.wasm', import.meta.url)) });
const tags = ready && fastTags(glue, ready.memory);

export const validateTags = ready && tags.validateTags;
export const isEmail = ready && tags.isEmail;
export const errorCodes = ready && tags.errorCodes;
export const ERROR_CODES = ready && Object.freeze(tags.errorCodes());

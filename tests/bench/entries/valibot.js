import { makeValibot } from '../libraries.mjs';
window.validate = makeValibot();

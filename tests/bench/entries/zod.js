import { makeZodNango } from '../libraries.mjs';
window.validate = makeZodNango();

import { makeFloor } from '../libraries.mjs';
window.validate = makeFloor();

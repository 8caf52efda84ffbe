import { makeAjv } from '../libraries.mjs';
import validate from 'ajv-standalone-tags';
window.validate = makeAjv(validate);

// A page that only checks tags: the bundle must hold the small wasm module only.
import { validateTags } from 'connkit';

const result = validateTags({ Env: 'prod' });
document.querySelector('#out').textContent = JSON.stringify(result);
window.connkitReady = true;

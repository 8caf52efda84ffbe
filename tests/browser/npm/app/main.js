// A page that uses the installed `connkit` package the way an app does, bundled by Vite 7 with no
// plugin. It also exposes the package and the shared vector runner to the Chromium test.
import * as connkit from 'connkit';
import { validateTags } from 'connkit';
import { runVectors } from './vectors.mjs';

const out = document.querySelector('#out');
document.querySelector('#check').addEventListener('click', () => {
  let input;
  try {
    input = JSON.parse(document.querySelector('#tags').value);
  } catch {
    input = undefined;
  }
  const result = validateTags(input);
  out.dataset.errorCode = result.ok ? '' : result.issues.map((it) => it.code).join(' ');
  out.textContent = result.ok ? JSON.stringify(result.value) : result.issues.map((it) => it.message).join('; ');
});

window.runVectors = (files) => runVectors(connkit, files);
window.connkit = connkit;
window.connkitReady = true;

import * as connkit from 'connkit';
window.connkit = connkit;

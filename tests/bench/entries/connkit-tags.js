import { validateTags } from 'connkit';
window.validate = validateTags;

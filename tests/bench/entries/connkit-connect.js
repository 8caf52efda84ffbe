// A page with the Connect form: the provider's form, its connection_config, the authorization URL,
// and the tags it sends (the `connect` and `tags` modules).
import { buildForm, interpolateUrl, validateConnectionConfig, validateTags } from 'connkit';
window.connect = { buildForm, interpolateUrl, validateConnectionConfig, validateTags };

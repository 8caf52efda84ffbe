// Connect UI's form check (connect-ui.mjs): the form's zod 4.0.5 schema built from a provider
// entry, then parsed on each change; the anchor for the connect form page.
import { configureZodAsConnectUi, connectUiFormSchema } from '../connect-ui.mjs';

configureZodAsConnectUi();
window.connectUi = (provider) => {
  const schema = connectUiFormSchema(provider);
  return (values) => schema.safeParse(values);
};

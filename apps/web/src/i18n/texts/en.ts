import { merge, type Texts } from '../merge.js';

/** English, but for the sign-in screens' texts (in the first download, ../index.ts): with the signed-in app. */
export default merge(import.meta.glob<Texts>(['../locales/en/*.json', '!../locales/en/{auth,common}.json'], { eager: true, import: 'default' }));

import { merge, type Texts } from '../merge.js';

/** Arabic, all of it: fetched when chosen. */
export default merge(import.meta.glob<Texts>('../locales/ar/*.json', { eager: true, import: 'default' }));

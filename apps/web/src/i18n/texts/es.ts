import { merge, type Texts } from '../merge.js';

/** Spanish, all of it: fetched when chosen. */
export default merge(import.meta.glob<Texts>('../locales/es/*.json', { eager: true, import: 'default' }));

import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { merge, type Texts } from './merge.js';

// One file per feature and language (locales/<language>/<feature>.json), so features own their texts. Each
// file's keys sit under the feature's name: locales/en/auth.json holds { "auth": { … } }.
// They are fetched as one chunk per language (texts/<language>.ts), not one per file. Only the sign-in screens'
// texts in English (auth, common) ship with the first download; the rest of English loads with the signed-in app
// (loadAppTexts), another language, whole, when it is chosen.
const english = import.meta.glob<Texts>('./locales/en/{auth,common}.json', { eager: true, import: 'default' });
const languageChunks = import.meta.glob<Texts>('./texts/*.ts', { import: 'default' });

const loaded = new Set<string>();
let appTextsWanted = false;

/** Adds a language's texts to i18next, once (English's only once the signed-in app wants them). */
async function loadTexts(language: string): Promise<void> {
  const load = languageChunks[`./texts/${language}.ts`];
  if (loaded.has(language) || !load || (language === 'en' && !appTextsWanted)) return;
  i18next.addResourceBundle(language, 'translation', await load(), true, true);
  loaded.add(language);
}

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
  { code: 'ar', name: 'العربية' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const LANGUAGE_KEY = 'hearth.language';

function initialLanguage(): Language {
  const stored = localStorage.getItem(LANGUAGE_KEY);
  const wanted = stored ?? navigator.language.slice(0, 2);
  return LANGUAGES.some((l) => l.code === wanted) ? (wanted as Language) : 'en';
}

/** Applies the language to the document: `lang` for screen readers and fonts, `dir` for right-to-left scripts. */
function applyToDocument(language: string): void {
  document.documentElement.lang = language;
  document.documentElement.dir = i18next.dir(language);
}

export async function setLanguage(language: Language): Promise<void> {
  await loadTexts(language);
  localStorage.setItem(LANGUAGE_KEY, language);
  await i18next.changeLanguage(language);
  applyToDocument(language);
}

export async function initI18n(): Promise<void> {
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: merge(english) } },
    lng: 'en',
    fallbackLng: 'en',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
  applyToDocument('en');
  const language = initialLanguage();
  if (language !== 'en') await setLanguage(language);
}

/** Loads the texts of the signed-in app in the current language (and in any language chosen later). */
export async function loadAppTexts(): Promise<void> {
  appTextsWanted = true;
  await loadTexts(i18next.language);
}

/** Dates and times in the user's language and time zone. */
export function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(i18next.language, { hour: 'numeric', minute: '2-digit' }).format(ms);
}

export function formatDay(ms: number): string {
  return new Intl.DateTimeFormat(i18next.language, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(ms);
}

export function formatDateTime(ms: number): string {
  return new Intl.DateTimeFormat(i18next.language, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}

/** "5 minutes ago", "yesterday" in the user's language. */
export function formatRelative(ms: number, now = Date.now()): string {
  const rtf = new Intl.RelativeTimeFormat(i18next.language, { numeric: 'auto' });
  const seconds = Math.round((ms - now) / 1000);
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  return rtf.format(0, 'minute');
}

import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

// One file per feature and language (locales/<language>/<feature>.json), so features own their texts. Each
// file's keys sit under the feature's name: locales/en/auth.json holds { "auth": { … } }.
// Only the sign-in screens' texts (auth, common) in English ship with the first download; the rest of the app's
// texts load with the signed-in app (loadAppTexts), and another language's when it is chosen.
type Texts = Record<string, unknown>;
const FIRST_SCREEN = new Set(['auth', 'common']);
const english = import.meta.glob<Texts>('./locales/en/{auth,common}.json', { eager: true, import: 'default' });
const lazy = import.meta.glob<Texts>(['./locales/*/*.json', '!./locales/en/{auth,common}.json'], { import: 'default' });

type Part = 'first-screen' | 'app';
const loaded = new Set<string>(['en:first-screen']);
let appTextsWanted = false;

function merge(files: Texts[]): Texts {
  return Object.assign({}, ...files) as Texts;
}

function partOf(file: string): Part {
  return FIRST_SCREEN.has(file.replace(/^.*\/|\.json$/g, '')) ? 'first-screen' : 'app';
}

/** Adds one part of a language's texts to i18next, once. */
async function loadPart(language: string, part: Part): Promise<void> {
  if (loaded.has(`${language}:${part}`)) return;
  const files = Object.entries(lazy).filter(([file]) => file.startsWith(`./locales/${language}/`) && partOf(file) === part);
  i18next.addResourceBundle(language, 'translation', merge(await Promise.all(files.map(([, load]) => load()))), true, true);
  loaded.add(`${language}:${part}`);
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
  await Promise.all([loadPart(language, 'first-screen'), appTextsWanted ? loadPart(language, 'app') : undefined]);
  localStorage.setItem(LANGUAGE_KEY, language);
  await i18next.changeLanguage(language);
  applyToDocument(language);
}

export async function initI18n(): Promise<void> {
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: merge(Object.values(english)) } },
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
  await loadPart(i18next.language, 'app');
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

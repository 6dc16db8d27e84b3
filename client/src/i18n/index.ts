// i18next set-up: each language's texts are a chunk of the build, fetched when that language is
// first used (only the reader's language on first load; the other one when they switch).
// Language chosen as
//   1. the choice saved by the language switch (localStorage), else
//   2. the signed-in user's saved locale (set by an administrator), else
//   3. the browser: Chinese for any zh* language, English otherwise.
// The current language is mirrored to <html lang> so screen readers and fonts follow it.

import i18next from 'i18next';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Locale } from '../api/types.ts';
import type { Messages } from './en.ts';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: Messages };
  }
}

const STORAGE_KEY = 'activegroups.lang';

export const LANGUAGES: ReadonlyArray<{ code: Locale; label: string }> = [
  { code: 'zh-CN', label: '简体中文' },
  { code: 'en', label: 'English' },
];

function isLocale(value: unknown): value is Locale {
  return value === 'zh-CN' || value === 'en';
}

export function storedLanguage(): Locale | null {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY);
    return isLocale(value) ? value : null;
  } catch {
    return null; // storage disabled (private mode, policy)
  }
}

export function browserLanguage(): Locale {
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  const first = (preferred[0] ?? '').toLowerCase();
  return first.startsWith('zh') ? 'zh-CN' : 'en';
}

function applyToDocument(lng: Locale): void {
  document.documentElement.lang = lng;
  document.title = lng === 'zh-CN' ? 'ActiveGroups · 留守儿童团体体育活动' : 'ActiveGroups';
}

/** Message catalogues by language; the build gives each its own chunk (client/build/language-split.ts). */
const catalogues: Record<Locale, () => Promise<Messages>> = {
  en: () => import('./en.ts').then((m) => m.en),
  'zh-CN': () => import('./zh-CN.ts').then((m) => m.zhCN),
};

/** Fetches a language's texts once and hands them to i18next. */
async function loadLanguage(lng: Locale): Promise<void> {
  if (i18next.hasResourceBundle(lng, 'translation')) return;
  i18next.addResourceBundle(lng, 'translation', await catalogues[lng]());
}

/** Changes the language once its texts are here, so no view renders with missing texts. */
async function switchTo(lng: Locale): Promise<void> {
  await loadLanguage(lng);
  await i18next.changeLanguage(lng);
  applyToDocument(lng);
}

export async function initI18n(): Promise<void> {
  const lng = storedLanguage() ?? browserLanguage();
  await i18next.init({
    lng,
    // Both catalogues have the same keys (tsc checks zh-CN against en), so no fallback is fetched.
    fallbackLng: false,
    supportedLngs: ['zh-CN', 'en'],
    resources: { [lng]: { translation: await catalogues[lng]() } },
    // Preact escapes text content itself.
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  });
  applyToDocument(lng);
}

/** The language switch: change now and remember the choice on this device. */
export async function chooseLanguage(lng: Locale): Promise<void> {
  try {
    window.localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    // not persisted; still switch for this page
  }
  await switchTo(lng);
}

/** A user's saved locale applies only while this device has no explicit choice. */
export async function applyUserLocale(locale: Locale | undefined): Promise<void> {
  if (!locale || storedLanguage() !== null || i18next.language === locale) return;
  await switchTo(locale);
}

export function currentLanguage(): Locale {
  return isLocale(i18next.language) ? i18next.language : 'en';
}

/** Provided by <App>; its value changes with the language so every consumer re-renders. */
export const LanguageContext = createContext<Locale>('en');

export function useT() {
  const lng = useContext(LanguageContext);
  return { t: i18next.t, lng }; // i18next binds its methods to the instance
}

/** For keys built at run time (error codes, audit entity names) that may not exist. */
export function tMaybe(key: string): string | null {
  return i18next.exists(key) ? (i18next.t as (k: string) => string)(key) : null;
}

export { i18next };

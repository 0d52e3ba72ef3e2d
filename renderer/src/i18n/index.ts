/**
 * i18next set-up: English and Simplified Chinese, switchable at run time (the choice is kept in
 * settings as `language`). Every UI string goes through `t()`. Other parts of the UI register
 * their own namespace with `registerMessages('stepper', { en, zh })` and use `useTranslation('stepper')`.
 */
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { zh } from './zh';

export type Language = 'en' | 'zh';
export const LANGUAGES: readonly Language[] = ['en', 'zh'];

export const i18n: I18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, zh: { translation: zh } },
  lng: 'en',
  fallbackLng: 'en',
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
  initAsync: false,
});

export function registerMessages(namespace: string, messages: { en: object; zh: object }): void {
  i18n.addResourceBundle('en', namespace, messages.en, true, true);
  i18n.addResourceBundle('zh', namespace, messages.zh, true, true);
}

export function setLanguage(lang: Language): void {
  void i18n.changeLanguage(lang);
  if (typeof document !== 'undefined') document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

/** The browser's preferred language, when the user has not chosen one. */
export function defaultLanguage(): Language {
  const nav = typeof navigator !== 'undefined' ? navigator.language : 'en';
  return nav.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export const t = (key: string, options?: Record<string, unknown>): string => i18n.t(key, options);

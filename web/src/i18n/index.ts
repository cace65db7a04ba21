import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import en from './en';
import zh from './zh';

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'zh', label: '简体中文' },
] as const;

void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { en: { translation: en }, zh: { translation: zh } },
    fallbackLng: 'en',
    supportedLngs: ['en', 'zh'],
    nonExplicitSupportedLngs: true,
    load: 'languageOnly',
    interpolation: { escapeValue: false },
    detection: {
      order: ['localStorage', 'navigator'],
      lookupLocalStorage: 'lrp-lang',
      caches: ['localStorage'],
    },
  });

const setDocumentLang = (lng: string | undefined) => {
  if (typeof document !== 'undefined') document.documentElement.lang = lng?.startsWith('zh') ? 'zh-CN' : 'en';
};
i18n.on('languageChanged', setDocumentLang);
setDocumentLang(i18n.resolvedLanguage);

export function currentLang(): 'en' | 'zh' {
  return i18n.resolvedLanguage?.startsWith('zh') ? 'zh' : 'en';
}

export default i18n;

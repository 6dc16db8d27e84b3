import { chooseLanguage, LANGUAGES, useT } from '../i18n/index.ts';

/** 简体中文 / English — always visible, also before sign-in. */
export function LangSwitch() {
  const { t, lng } = useT();
  return (
    <div class="lang-switch" role="group" aria-label={t('lang.label')} data-testid="lang-switch">
      {LANGUAGES.map((language) => (
        <button
          type="button"
          key={language.code}
          lang={language.code}
          data-lang={language.code}
          data-testid={`lang-${language.code}`}
          aria-pressed={lng === language.code ? 'true' : 'false'}
          onClick={() => void chooseLanguage(language.code)}
        >
          {language.label}
        </button>
      ))}
    </div>
  );
}

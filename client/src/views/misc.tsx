import { Link, PageTitle } from '../components/ui.tsx';
import { useT } from '../i18n/index.ts';

export function NotFoundView() {
  const { t } = useT();
  return (
    <section data-testid="not-found">
      <PageTitle>{t('notFound.title')}</PageTitle>
      <p>{t('notFound.body')}</p>
      <Link href="/" class="button">
        {t('notFound.home')}
      </Link>
    </section>
  );
}

export function ForbiddenView() {
  const { t } = useT();
  return (
    <section data-testid="forbidden">
      <PageTitle>{t('forbidden.title')}</PageTitle>
      <p>{t('forbidden.body')}</p>
      <Link href="/" class="button">
        {t('notFound.home')}
      </Link>
    </section>
  );
}

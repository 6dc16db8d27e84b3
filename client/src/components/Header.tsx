import { useEffect, useState } from 'preact/hooks';
import type { Role, User } from '../api/types.ts';
import { useT } from '../i18n/index.ts';
import { useLocation } from '../router.ts';
import { LangSwitch } from './LangSwitch.tsx';
import { Link } from './ui.tsx';

type NavKey = 'home' | 'schools' | 'users' | 'audit' | 'programmes' | 'results' | 'children' | 'groups' | 'register' | 'delivery' | 'worklist' | 'questionnaires' | 'instruments' | 'apiTokens' | 'apiDocs';
/** Feature views keep their nav label in their own i18n file. */
const FEATURE_NAV_LABEL = { programmes: 'programmes.nav', results: 'results.nav', children: 'roster.nav.children', groups: 'roster.nav.groups', register: 'register.nav', delivery: 'register.navDelivery', worklist: 'assessments.nav.worklist', questionnaires: 'assessments.nav.questionnaires', instruments: 'assessments.nav.instruments', apiTokens: 'apiTokens.nav', apiDocs: 'apiTokens.navDocs' } as const;
const isFeatureNav = (key: NavKey): key is keyof typeof FEATURE_NAV_LABEL => key in FEATURE_NAV_LABEL;

/** What each role finds in the navigation. Later features add their views here. */
const NAV: Record<Role, ReadonlyArray<{ key: NavKey; href: string }>> = {
  admin: [
    { key: 'home', href: '/' },
    { key: 'schools', href: '/schools' },
    { key: 'users', href: '/users' },
    { key: 'audit', href: '/audit' },
    { key: 'programmes', href: '/programmes' },
    { key: 'register', href: '/register' },
    { key: 'delivery', href: '/delivery' },
    { key: 'results', href: '/results' },
    { key: 'children', href: '/children' },
    { key: 'groups', href: '/groups' },
    { key: 'instruments', href: '/instruments' },
    { key: 'apiTokens', href: '/api-tokens' },
    // Served by the server (not an app view): followed as a normal link.
    { key: 'apiDocs', href: '/api/docs' },
  ],
  pe_teacher: [{ key: 'home', href: '/' }, { key: 'register', href: '/register' }, { key: 'children', href: '/children' }, { key: 'groups', href: '/groups' }, { key: 'programmes', href: '/programmes' }, { key: 'delivery', href: '/delivery' }, { key: 'apiTokens', href: '/api-tokens' }],
  counsellor: [{ key: 'home', href: '/' }, { key: 'worklist', href: '/worklist' }, { key: 'questionnaires', href: '/assessments' }, { key: 'children', href: '/children' }, { key: 'groups', href: '/groups' }, { key: 'programmes', href: '/programmes' }, { key: 'delivery', href: '/delivery' }, { key: 'apiTokens', href: '/api-tokens' }],
  researcher: [{ key: 'home', href: '/' }, { key: 'programmes', href: '/programmes' }, { key: 'delivery', href: '/delivery' }, { key: 'results', href: '/results' }, { key: 'instruments', href: '/instruments' }, { key: 'apiTokens', href: '/api-tokens' }],
};

function isCurrent(href: string, path: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

export function Header(props: { user?: User | null; onLogout?: () => void; loggingOut?: boolean }) {
  const { t } = useT();
  const { path } = useLocation();
  const [menuOpen, setMenuOpen] = useState(false);
  const user = props.user ?? null;

  // A phone menu left open after following one of its links would cover the new page.
  useEffect(() => setMenuOpen(false), [path]);

  return (
    <header class="app-header" data-testid="header">
      <div class="header-bar">
        <Link href="/" class="brand" testid="brand">
          <span class="brand-mark" aria-hidden="true">
            AG
          </span>
          <span class="brand-name">{t('app.name')}</span>
        </Link>
        <LangSwitch />
        {user ? (
          <button
            type="button"
            class="menu-toggle"
            aria-expanded={menuOpen ? 'true' : 'false'}
            aria-controls="app-menu"
            data-testid="menu-toggle"
            onClick={() => setMenuOpen((open) => !open)}
          >
            <span class="menu-icon" aria-hidden="true" />
            <span class="visually-hidden">{menuOpen ? t('nav.closeMenu') : t('nav.menu')}</span>
          </button>
        ) : null}
      </div>
      {user ? (
        <div id="app-menu" class={`header-menu${menuOpen ? ' open' : ''}`}>
          <nav aria-label={t('nav.label')} data-testid="nav">
            <ul>
              {NAV[user.role].map((item) => (
                <li key={item.key}>
                  {item.href.startsWith('/api/') ? (
                    <a href={item.href} data-testid={`nav-${item.key}`}>
                      {t(FEATURE_NAV_LABEL[item.key as keyof typeof FEATURE_NAV_LABEL])}
                    </a>
                  ) : (
                    <Link href={item.href} testid={`nav-${item.key}`} current={isCurrent(item.href, path)}>
                      {isFeatureNav(item.key) ? t(FEATURE_NAV_LABEL[item.key]) : t(`nav.${item.key}`)}
                    </Link>
                  )}
                </li>
              ))}
            </ul>
          </nav>
          <div class="user-box" data-testid="user-menu">
            <span class="user-name">
              <span class="visually-hidden">{t('header.signedInAs')} </span>
              <span data-testid="current-user">{user.displayName}</span>
              <span class="user-role" data-testid="current-role" data-role={user.role}>
                {t(`role.${user.role}`)}
              </span>
            </span>
            <button
              type="button"
              class="button button-secondary"
              data-testid="logout"
              disabled={props.loggingOut}
              onClick={props.onLogout}
            >
              {t('header.logout')}
            </button>
          </div>
        </div>
      ) : null}
    </header>
  );
}

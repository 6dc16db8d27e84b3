import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.ts';
import type { School, User } from '../../api/types.ts';
import { Alert, ErrorAlert, formatDateTime, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { takeFlash } from '../../flash.ts';
import { useT } from '../../i18n/index.ts';
import { useSession } from '../../session.ts';

export function UsersView() {
  const { t, lng } = useT();
  const { user: me } = useSession();
  const [users, setUsers] = useState<User[] | null>(null);
  const [schools, setSchools] = useState<Map<string, School>>(new Map());
  const [error, setError] = useState<unknown>(null);
  const [flash] = useState(takeFlash);

  useEffect(() => {
    const controller = new AbortController();
    Promise.all([api.users.list(controller.signal), api.schools.list(controller.signal)])
      .then(([userList, schoolList]) => {
        setSchools(new Map(schoolList.items.map((s) => [s.id, s])));
        setUsers(userList.items);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, []);

  return (
    <section data-testid="users-page">
      <div class="page-head">
        <PageTitle>{t('users.title')}</PageTitle>
        <Link href="/users/new" class="button button-primary" testid="user-new">
          + {t('users.new')}
        </Link>
      </div>
      {flash ? <Alert kind="success">{flash}</Alert> : null}
      <ErrorAlert error={error} />
      {users === null && !error ? <Loading /> : null}
      {users && users.length === 0 ? <p class="empty">{t('users.empty')}</p> : null}
      {users && users.length > 0 ? (
        <>
          <p class="muted" data-testid="users-count">
            {t('users.count', { count: users.length })}
          </p>
          <table class="table responsive-table" data-testid="users-table">
            <thead>
              <tr>
                <th scope="col">{t('field.displayName')}</th>
                <th scope="col">{t('field.username')}</th>
                <th scope="col">{t('users.role')}</th>
                <th scope="col">{t('users.schools')}</th>
                <th scope="col">{t('users.status')}</th>
                <th scope="col">{t('users.lastLogin')}</th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr
                  key={user.id}
                  data-testid="user-row"
                  data-user-id={user.id}
                  data-username={user.username}
                  class={user.active ? undefined : 'row-inactive'}
                >
                  <th scope="row" data-label={t('field.displayName')} class="cell-title">
                    <Link href={`/users/${encodeURIComponent(user.id)}`} testid="user-edit">
                      {user.displayName}
                    </Link>
                    {user.id === me.id ? <span class="muted"> ({t('users.you')})</span> : null}
                  </th>
                  <td data-label={t('field.username')} class="code">
                    {user.username}
                  </td>
                  <td data-label={t('users.role')}>{t(`role.${user.role}`)}</td>
                  <td data-label={t('users.schools')}>
                    {user.role === 'admin' && user.schoolIds.length === 0
                      ? t('users.allSchools')
                      : user.schoolIds
                          .map((id) => {
                            const school = schools.get(id);
                            return school ? `${school.code} ${school.name}` : id;
                          })
                          .join(', ') || t('common.none')}
                  </td>
                  <td data-label={t('users.status')}>
                    <span
                      class={`badge ${user.active ? 'badge-ok' : 'badge-off'}`}
                      data-testid="user-status"
                      data-active={String(user.active)}
                    >
                      {user.active ? t('users.statusActive') : t('users.statusInactive')}
                    </span>
                  </td>
                  <td data-label={t('users.lastLogin')} class="nowrap">
                    {user.lastLoginAt ? (
                      <time dateTime={user.lastLoginAt}>{formatDateTime(user.lastLoginAt, lng)}</time>
                    ) : (
                      <span class="muted">{t('users.never')}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}

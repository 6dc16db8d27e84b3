// The sports groups of one school: activity, coaches, how many children are members today.
import { useEffect, useState } from 'preact/hooks';
import { groupsApi, type GroupSummary } from '../../api/roster.ts';
import { Alert, ErrorAlert, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { takeFlash } from '../../flash.ts';
import { useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { activityName, pickSchool, SchoolPicker, useRoles, useSchools } from '../children/common.tsx';

export function GroupsView(props: { query: URLSearchParams }) {
  const { t, lng } = useT();
  const { canWriteGroups } = useRoles();
  const { schools, error: schoolsError } = useSchools();
  const school = schools ? pickSchool(schools, props.query.get('school')) : null;
  const [groups, setGroups] = useState<GroupSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [flash] = useState(takeFlash);

  useEffect(() => {
    if (!school) return;
    let live = true;
    setGroups(null);
    groupsApi
      .list({ schoolId: school.id })
      .then((r) => live && setGroups(r.items))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [school?.id]);

  if (schoolsError) return <ErrorAlert error={schoolsError} />;
  if (!schools) return <Loading />;
  if (!school) return <p class="empty">{t('roster.list.noSchool')}</p>;

  return (
    <section data-testid="groups-page">
      <div class="page-head">
        <PageTitle>{t('roster.groups.title')}</PageTitle>
        {canWriteGroups ? (
          <Link href={`/groups/new?school=${school.id}`} class="button button-primary" testid="group-new">
            + {t('roster.groups.new')}
          </Link>
        ) : null}
      </div>
      <p class="lead">{t('roster.groups.intro')}</p>
      <SchoolPicker schools={schools} value={school.id} onChange={(id) => navigate(`/groups?school=${id}`)} />
      {flash ? <Alert kind="success">{flash}</Alert> : null}
      <ErrorAlert error={error} />
      {groups === null && !error ? <Loading /> : null}
      {groups && groups.length === 0 ? (
        <p class="empty" data-testid="groups-empty">
          {t('roster.groups.empty')}
        </p>
      ) : null}
      {groups && groups.length > 0 ? (
        <ul class="group-cards" data-testid="groups-list">
          {groups.map((g) => (
            <li key={g.id} class="group-card" data-testid="group-card" data-group-id={g.id}>
              <Link href={`/groups/${encodeURIComponent(g.id)}`} class="group-card-link" testid="group-open">
                <h2>{g.name}</h2>
                <p class="group-activity">{activityName(g.activityCode, lng)}</p>
                <p class="muted">
                  {t('roster.groups.currentMembers', { count: g.currentMembers })}
                  {g.coaches.length > 0 ? ` · ${g.coaches.map((c) => c.displayName).join(', ')}` : ''}
                </p>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

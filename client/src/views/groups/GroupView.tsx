// One sports group: name, activity and coaches; current members with their join dates and a
// "leaves" action; past memberships; and adding children from the school's roster.
import { useEffect, useState } from 'preact/hooks';
import { ACTIVITY_CATALOG } from '../../../../shared/domain/activities.ts';
import { createGroupSchema, rosterLimits } from '../../../../shared/schemas/roster.ts';
import { isApiError } from '../../api/client.ts';
import { childrenApi, groupsApi, type Child, type Coach, type GroupDetail, type Member } from '../../api/roster.ts';
import { ConflictNotice, conflictCurrent } from '../../components/Conflict.tsx';
import { Alert, Field, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { setFlash, takeFlash } from '../../flash.ts';
import { useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { activityName, classLabel, localToday, rosterErrorText, useRoles, zodFieldErrors } from '../children/common.tsx';

export function GroupView(props: { groupId: string | null; schoolId: string | null }) {
  const { t, lng } = useT();
  const { canWriteGroups } = useRoles();
  const [group, setGroup] = useState<GroupDetail | null>(null);
  const [coaches, setCoaches] = useState<Coach[] | null>(null);
  const [name, setName] = useState('');
  const [activityCode, setActivityCode] = useState('');
  const [coachIds, setCoachIds] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [loadError, setLoadError] = useState<unknown>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(takeFlash);
  const [conflict, setConflict] = useState<GroupDetail | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);

  const schoolId = group?.schoolId ?? props.schoolId;

  const adopt = (g: GroupDetail) => {
    setGroup(g);
    setName(g.name);
    setActivityCode(g.activityCode);
    setCoachIds(g.coachIds);
  };

  useEffect(() => {
    if (props.groupId) groupsApi.get(props.groupId).then(adopt).catch(setLoadError);
  }, [props.groupId]);

  useEffect(() => {
    if (schoolId) groupsApi.coaches(schoolId).then((r) => setCoaches(r.items)).catch(setLoadError);
  }, [schoolId]);

  /** Runs a change; a stale version shows the current group, other refusals a translated message. */
  const run = async (work: () => Promise<GroupDetail | void>, success?: string) => {
    setFailure(null);
    setNotice(null);
    setBusy(true);
    try {
      const g = await work();
      if (g) adopt(g);
      setConflict(null);
      if (success) setNotice(success);
      return true;
    } catch (error) {
      if (isApiError(error) && error.code === 'version_conflict') {
        const current = conflictCurrent<GroupDetail>(error.details);
        if (current) {
          setConflict(current);
          return false;
        }
      }
      setFailure(rosterErrorText(error, t('error.title')) ?? t('error.title'));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const save = async (event: Event) => {
    event.preventDefault();
    const parsed = createGroupSchema.safeParse({ schoolId, name, activityCode, coachIds });
    if (!parsed.success) {
      setErrors(zodFieldErrors(parsed.error));
      return;
    }
    setErrors({});
    if (group) {
      await run(() => groupsApi.update(group.id, { version: group.version, name: parsed.data.name, activityCode, coachIds }), t('roster.groups.saved'));
    } else {
      await run(async () => {
        const created = await groupsApi.create(parsed.data);
        setFlash(t('roster.groups.created', { name: created.name }));
        navigate(`/groups/${created.id}`);
      });
    }
  };

  if (loadError) {
    return (
      <section data-testid="group-page">
        <PageTitle>{t('roster.groups.title')}</PageTitle>
        <Alert kind="error">{isApiError(loadError) && loadError.status === 404 ? t('roster.groups.notFound') : (rosterErrorText(loadError, t('error.title')) ?? t('error.title'))}</Alert>
        <Link href="/groups" class="button">
          ← {t('roster.groups.title')}
        </Link>
      </section>
    );
  }
  if ((props.groupId && !group) || coaches === null) return <Loading />;

  const readOnly = !canWriteGroups;
  const back = `/groups${schoolId ? `?school=${schoolId}` : ''}`;
  const current = group ? group.members.filter((m) => m.leftOn === null) : [];
  const past = group ? group.members.filter((m) => m.leftOn !== null) : [];

  return (
    <section data-testid="group-page">
      <p class="breadcrumb">
        <Link href={back}>← {t('roster.groups.title')}</Link>
      </p>
      <PageTitle>{group ? group.name : t('roster.groups.newTitle')}</PageTitle>
      {group ? <p class="lead">{activityName(group.activityCode, lng)}</p> : null}
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      {failure ? (
        <Alert kind="error" testid="group-error">
          {failure}
        </Alert>
      ) : null}
      {conflict ? (
        <ConflictNotice
          onLoadTheirs={() => {
            adopt(conflict);
            setConflict(null);
          }}
          onKeepMine={() => {
            setGroup((g) => (g ? { ...g, version: conflict.version, members: conflict.members } : g));
            setConflict(null);
            setNotice(t('conflict.kept'));
          }}
        />
      ) : null}

      <form class="form card" onSubmit={save} noValidate data-testid="group-form">
        <fieldset disabled={readOnly || busy} class="plain-fieldset">
          <Field label={t('roster.groups.name')} error={errors.name} required>
            {(c) => <input {...c} data-testid="group-name" value={name} maxLength={rosterLimits.groupNameMax} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
          <Field label={t('roster.groups.activity')} error={errors.activityCode} required>
            {(c) => (
              <select {...c} data-testid="group-activity" value={activityCode} onChange={(e) => setActivityCode(e.currentTarget.value)}>
                <option value="" />
                {ACTIVITY_CATALOG.map((a) => (
                  <option key={a.code} value={a.code}>
                    {lng === 'zh-CN' ? a.name.zh : a.name.en}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <fieldset class="field">
            <legend>{t('roster.groups.coaches')}</legend>
            {coaches.length === 0 ? (
              <p class="muted">{t('roster.groups.noCoaches')}</p>
            ) : (
              <ul class="checkbox-list" data-testid="group-coaches">
                {coaches.map((c) => (
                  <li key={c.id}>
                    <label class="check">
                      <input
                        type="checkbox"
                        checked={coachIds.includes(c.id)}
                        onChange={(e) => setCoachIds((ids) => (e.currentTarget.checked ? [...ids, c.id] : ids.filter((x) => x !== c.id)))}
                      />
                      {c.displayName}
                    </label>
                  </li>
                ))}
              </ul>
            )}
            <p class="field-hint">{t('roster.groups.coachesHint')}</p>
          </fieldset>
          {readOnly ? null : (
            <div class="actions">
              <button type="submit" class="button button-primary" data-testid="group-save" disabled={busy}>
                {busy ? t('common.saving') : group ? t('common.save') : t('common.create')}
              </button>
            </div>
          )}
        </fieldset>
      </form>

      {group ? (
        <>
          <section class="section" data-testid="group-members" aria-labelledby="current-members">
            <h2 id="current-members">
              {t('roster.groups.current')} <span class="muted">({current.length})</span>
            </h2>
            {current.length === 0 ? <p class="muted">{t('roster.groups.noMembers')}</p> : null}
            <ul class="member-list">
              {current.map((m) => (
                <MemberItem
                  key={`${m.childId}-${m.joinedOn}`}
                  member={m}
                  today={group.today}
                  readOnly={readOnly || busy}
                  onLeave={(leftOn) => run(() => groupsApi.endMembership(group.id, { version: group.version, childId: m.childId, leftOn }), t('roster.groups.ended'))}
                  onRemove={() => run(() => groupsApi.removeMember(group.id, { version: group.version, childId: m.childId }), t('roster.groups.removed'))}
                />
              ))}
            </ul>
            {past.length > 0 ? (
              <details class="past-members" data-testid="group-past">
                <summary>
                  {t('roster.groups.past')} ({past.length})
                </summary>
                <ul class="plain-list">
                  {past.map((m) => (
                    <li key={`${m.childId}-${m.joinedOn}`}>
                      <span class="code">{m.child?.code}</span> {m.child?.displayName}{' '}
                      <span class="muted">{t('roster.form.period', { from: m.joinedOn, to: m.leftOn })}</span>
                    </li>
                  ))}
                </ul>
                <p class="field-hint">{t('roster.groups.rejoinNote')}</p>
              </details>
            ) : null}
          </section>

          {readOnly ? null : (
            <AddMembers
              group={group}
              busy={busy}
              onAdd={(childIds, joinedOn) =>
                run(() => groupsApi.addMembers(group.id, { version: group.version, childIds, joinedOn }), t('roster.groups.added', { count: childIds.length }))
              }
            />
          )}

          {readOnly ? null : (
            <div class="danger-zone">
              {confirmingDelete ? (
                <div class="confirm" role="group">
                  <p>{t('roster.groups.deleteConfirm')}</p>
                  <div class="actions">
                    <button
                      type="button"
                      class="button button-danger"
                      data-testid="group-delete-confirm"
                      onClick={() =>
                        void run(async () => {
                          await groupsApi.remove(group.id, group.version);
                          setFlash(t('roster.groups.deleted'));
                          navigate(back);
                        })
                      }
                    >
                      {t('common.delete')}
                    </button>
                    <button type="button" class="button button-secondary" onClick={() => setConfirmingDelete(false)}>
                      {t('common.cancel')}
                    </button>
                  </div>
                </div>
              ) : (
                <button type="button" class="button button-danger-outline" data-testid="group-delete" onClick={() => setConfirmingDelete(true)}>
                  {t('roster.groups.deleteGroup')}
                </button>
              )}
            </div>
          )}
        </>
      ) : null}
    </section>
  );
}

function MemberItem(props: { member: Member; today: string; readOnly: boolean; onLeave: (leftOn: string) => Promise<boolean>; onRemove: () => Promise<boolean> }) {
  const { t } = useT();
  const { member: m } = props;
  const [leaving, setLeaving] = useState(false);
  const [leftOn, setLeftOn] = useState(props.today < m.joinedOn ? m.joinedOn : props.today);
  return (
    <li class="member" data-testid="member" data-child-id={m.childId}>
      <div class="member-main">
        <span class="member-name">{m.child?.displayName ?? m.child?.code}</span>
        <span class="muted">
          <span class="code">{m.child?.code}</span> · {m.child ? classLabel(m.child.grade, m.child.className) : ''} ·{' '}
          {t('roster.form.since', { date: m.joinedOn })}
        </span>
      </div>
      {props.readOnly ? null : leaving ? (
        <div class="inline-form">
          <label class="field">
            <span>{t('roster.groups.leaveOn')}</span>
            <input type="date" data-testid="member-left-on" value={leftOn} min={m.joinedOn} onInput={(e) => setLeftOn(e.currentTarget.value)} />
          </label>
          <button type="button" class="button button-primary" data-testid="member-leave-confirm" disabled={!leftOn} onClick={() => void props.onLeave(leftOn).then((ok) => ok && setLeaving(false))}>
            {t('roster.groups.leaveConfirm')}
          </button>
          <button type="button" class="button button-secondary" onClick={() => setLeaving(false)}>
            {t('common.cancel')}
          </button>
          <button type="button" class="button button-small button-danger-outline" data-testid="member-remove" onClick={() => void props.onRemove()}>
            {t('roster.groups.remove')}
          </button>
        </div>
      ) : (
        <button type="button" class="button button-secondary button-small" data-testid="member-leave" onClick={() => setLeaving(true)}>
          {t('roster.groups.leave')}
        </button>
      )}
    </li>
  );
}

function AddMembers(props: { group: GroupDetail; busy: boolean; onAdd: (childIds: string[], joinedOn: string) => Promise<boolean> }) {
  const { t } = useT();
  const [q, setQ] = useState('');
  const [grade, setGrade] = useState('');
  const [candidates, setCandidates] = useState<Child[] | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [joinedOn, setJoinedOn] = useState(props.group.today);
  const [error, setError] = useState<unknown>(null);
  const currentIds = new Set(props.group.members.filter((m) => m.leftOn === null).map((m) => m.childId));

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      childrenApi
        .list({ schoolId: props.group.schoolId, q: q.trim() || undefined, grade: grade || undefined, active: 'true', pageSize: 200 })
        .then((r) => live && setCandidates(r.items))
        .catch((e: unknown) => live && setError(e));
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [props.group.schoolId, q, grade]);

  const shown = (candidates ?? []).filter((c) => !currentIds.has(c.id));
  const toggle = (id: string, on: boolean) => setSelected((s) => (on ? [...s.filter((x) => x !== id), id] : s.filter((x) => x !== id)));

  return (
    <section class="section card add-members" data-testid="add-members" aria-labelledby="add-members-title">
      <h2 id="add-members-title">{t('roster.groups.add')}</h2>
      <p class="muted">{t('roster.groups.addHint')}</p>
      <div class="form-row">
        <label class="field">
          <span>{t('roster.list.search')}</span>
          <input type="search" data-testid="add-members-search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('roster.field.grade')}</span>
          <select value={grade} onChange={(e) => setGrade(e.currentTarget.value)}>
            <option value="">{t('roster.list.allGrades')}</option>
            {Array.from({ length: 12 }, (_, i) => (
              <option key={i} value={String(i + 1)}>
                {t('roster.gradeN', { grade: i + 1 })}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error ? <Alert kind="error">{rosterErrorText(error, t('error.title'))}</Alert> : null}
      {candidates === null && !error ? <Loading /> : null}
      {candidates && shown.length === 0 ? (
        <p class="empty" data-testid="add-members-none">
          {candidates.length > 0 ? t('roster.groups.allMembers') : t('roster.groups.noCandidates')}
        </p>
      ) : null}
      {shown.length > 0 ? (
        <>
          <label class="check">
            <input
              type="checkbox"
              data-testid="add-members-all"
              checked={shown.every((c) => selected.includes(c.id))}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                setSelected((s) => (on ? [...new Set([...s, ...shown.map((c) => c.id)])] : s.filter((id) => !shown.some((c) => c.id === id))));
              }}
            />
            {t('roster.groups.selectAll')}
          </label>
          <ul class="checkbox-list candidate-list" data-testid="add-members-list">
            {shown.map((c) => (
              <li key={c.id}>
                <label class="check">
                  <input type="checkbox" data-testid="candidate" data-child-id={c.id} checked={selected.includes(c.id)} onChange={(e) => toggle(c.id, e.currentTarget.checked)} />
                  <span>
                    {c.displayName} <span class="muted">· {c.code} · {classLabel(c.grade, c.className)}</span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <div class="inline-form">
        <label class="field">
          <span>{t('roster.groups.joinOn')}</span>
          <input type="date" data-testid="add-members-date" value={joinedOn} onInput={(e) => setJoinedOn(e.currentTarget.value)} />
        </label>
        <button
          type="button"
          class="button button-primary"
          data-testid="add-members-submit"
          disabled={props.busy || selected.length === 0 || !joinedOn}
          onClick={() => void props.onAdd(selected, joinedOn).then((ok) => ok && setSelected([]))}
        >
          {t('roster.groups.addSelected', { count: selected.length })}
        </button>
      </div>
    </section>
  );
}

// The counsellor's worklist: children who need attention (missing due wave, above cut-off,
// reliable worsening, attendance falling or stopped), each with the reason and a link.
import { useEffect, useState } from 'preact/hooks';
import { worklistKinds, type WorklistKind } from '../../../../shared/schemas/assessments-api.ts';
import { assessmentsApi, type WorklistItem } from '../../api/assessments.ts';
import { Link, Loading, PageTitle } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { FlowError } from '../assessments/common.tsx';

export function reasonText(t: ReturnType<typeof useT>['t'], item: WorklistItem): string {
  const p = item.params;
  const wave = (w: unknown) => (typeof w === 'string' ? t(`assessments.wave.${w as 'pre'}`) : '');
  const values = { ...p, wave: wave(p.wave), from: wave(p.from), to: wave(p.to), scope: p.scope === 'total' ? t('assessments.entry.total') : p.scope } as Record<string, unknown>;
  if (item.kind === 'missing_wave') {
    const base = t(p.overdue ? 'assessments.worklist.reason.missing_wave_overdue' : 'assessments.worklist.reason.missing_wave', values);
    return p.consentMissing ? `${base} · ${t('assessments.worklist.reason.consentMissing')}` : base;
  }
  return t(`assessments.worklist.reason.${item.kind}`, values);
}

export function WorklistView() {
  const { t } = useT();
  const [items, setItems] = useState<WorklistItem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [kind, setKind] = useState<WorklistKind | 'all'>('all');

  useEffect(() => {
    assessmentsApi.worklist
      .list()
      .then((r) => setItems(r.items))
      .catch(setError);
  }, []);

  const shown = (items ?? []).filter((i) => kind === 'all' || i.kind === kind);
  const count = (k: WorklistKind) => (items ?? []).filter((i) => i.kind === k).length;
  return (
    <section data-testid="worklist-page">
      <PageTitle>{t('assessments.worklist.title')}</PageTitle>
      <p class="lead">{t('assessments.worklist.intro')}</p>
      <FlowError error={error} />
      {items === null && !error ? <Loading /> : null}
      {items && items.length === 0 ? <p class="empty" data-testid="worklist-empty">{t('assessments.worklist.empty')}</p> : null}
      {items && items.length > 0 ? (
        <>
          <ul class="chips" aria-label={t('assessments.worklist.why')}>
            <li>
              <button type="button" class="chip" aria-pressed={kind === 'all' ? 'true' : 'false'} onClick={() => setKind('all')}>
                {t('assessments.worklist.all')} ({items.length})
              </button>
            </li>
            {worklistKinds.map((k) => (
              <li key={k}>
                <button type="button" class="chip" data-testid={`chip-${k}`} aria-pressed={kind === k ? 'true' : 'false'} onClick={() => setKind(k)}>
                  {t(`assessments.worklist.kind.${k}`)} ({count(k)})
                </button>
              </li>
            ))}
          </ul>
          <table class="table responsive-table" data-testid="worklist-table">
            <thead>
              <tr>
                <th scope="col">{t('assessments.worklist.child')}</th>
                <th scope="col">{t('assessments.worklist.why')}</th>
                <th scope="col">{t('assessments.worklist.programme')}</th>
                <th scope="col">{t('assessments.worklist.action')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((item, i) => (
                <tr key={`${item.childId}-${item.kind}-${i}`} data-testid="worklist-item" data-kind={item.kind} data-child-id={item.childId}>
                  <th scope="row" data-label={t('assessments.worklist.child')}>
                    <Link href={`/child-profile/${item.childId}`}>{item.childName}</Link> <span class="code muted">{item.childCode}</span>
                  </th>
                  <td data-label={t('assessments.worklist.why')}>
                    <span class={`kind kind-${item.kind}`}>{t(`assessments.worklist.kind.${item.kind}`)}</span> {reasonText(t, item)}
                  </td>
                  <td data-label={t('assessments.worklist.programme')}>{item.programmeName}</td>
                  <td>
                    <Link href={item.link} class="button button-small button-secondary" testid="worklist-link">
                      {item.kind === 'missing_wave' ? t('assessments.worklist.enter') : t('assessments.worklist.profile')}
                    </Link>
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

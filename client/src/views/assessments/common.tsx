// Shared bits of the counsellors' views: error text from my i18n, the live score panel.
import type { AssessmentScore } from '../../../../shared/domain/scoring.ts';
import type { InstrumentDefinition } from '../../../../shared/schemas/instrument.ts';
import { isApiError } from '../../api/client.ts';
import { tMaybe, useT } from '../../i18n/index.ts';
import './assessments.css';

/** Translated message for an API error of these flows; else the server's own message. */
export function flowErrorText(error: unknown, fallback: string): string {
  if (isApiError(error)) return tMaybe(`assessments.errors.${error.code}`) ?? tMaybe(`error.${error.code}`) ?? (error.message || fallback);
  return fallback;
}

export function FlowError(props: { error: unknown; testid?: string }) {
  const { t } = useT();
  if (props.error === null || props.error === undefined) return null;
  const code = isApiError(props.error) ? props.error.code : undefined;
  const detail = isApiError(props.error) && props.error.code === 'invalid_answers' ? props.error.message : null;
  return (
    <div class="alert alert-error" role="alert" data-testid={props.testid ?? 'error'} data-error-code={code}>
      {flowErrorText(props.error, t('error.title'))}
      {detail ? <div class="muted">{detail}</div> : null}
    </div>
  );
}

export function localName(name: { en: string; zh: string }, lng: string): string {
  return lng === 'zh-CN' ? name.zh : name.en;
}

export function fmtScore(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/** Totals, subscales, prorating and cut-off flags of a score (live or stored). */
/** `compact`: the total and flags only (the stored score next to the live one). */
export function ScorePanel(props: { definition: InstrumentDefinition; score: AssessmentScore | null; answered: number; testid: string; title: string; compact?: boolean }) {
  const { t, lng } = useT();
  const { definition, score } = props;
  // The reason in the reader's language (the stored English sentence only for scores saved before the key existed).
  const notScoredText = (x: { notScoredReason?: string; notScoredMessageKey?: string; notScoredParams?: { missing: number; items: string; max: number } }) =>
    x.notScoredMessageKey === 'scoring.notScored.allMissing'
      ? t('assessments.entry.notScoredAllMissing')
      : x.notScoredMessageKey === 'scoring.notScored.tooManyMissing' && x.notScoredParams
        ? t('assessments.entry.notScoredTooManyMissing', x.notScoredParams)
        : (x.notScoredReason ?? '').replace(/^Not scored: /, '');
  const scopeName = (scope: string) => {
    if (scope === 'total') return t('assessments.entry.total');
    const s = definition.subscales.find((x) => x.code === scope);
    return s ? localName(s.name, lng) : scope;
  };
  return (
    <section class="score-panel card" aria-live="polite" data-testid={props.testid}>
      <h2>{props.title}</h2>
      <p class="muted">{t('assessments.entry.answered', { count: props.answered, total: definition.items.length })}</p>
      {score ? (
        <>
          <p class="score-total">
            {t('assessments.entry.total')}: <strong data-testid={`${props.testid}-total`}>{fmtScore(score.total)}</strong>
            {score.prorated ? <span class="badge badge-soon"> {t('assessments.entry.prorated')}</span> : null}
          </p>
          {score.notScoredReason ? (
            <p class="muted" data-testid={`${props.testid}-not-scored`}>
              {t('assessments.entry.notScored')}: {notScoredText(score)}
            </p>
          ) : null}
          {score.subscales.length > 0 && !props.compact ? (
            <table class="table score-subscales">
              <tbody>
                {score.subscales.map((s) => {
                  const def = definition.subscales.find((x) => x.code === s.code);
                  return (
                    <tr key={s.code} data-testid={`${props.testid}-subscale-${s.code}`} class={s.atOrBeyondCutoff ? 'beyond' : ''}>
                      <th scope="row">{scopeName(s.code)}</th>
                      <td title={s.notScoredReason ? notScoredText(s) : undefined}>{fmtScore(s.score)}</td>
                      <td class="muted">{def?.cutoff !== undefined ? `≥ ${def.cutoff}` : ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ) : null}
          {props.compact ? null : (
          <ul class="flags" data-testid={`${props.testid}-flags`}>
            {score.flags.length === 0 ? <li class="muted">{t('assessments.entry.noFlags')}</li> : null}
            {score.flags.map((f, i) => (
              <li key={i} class={`flag flag-${f.code}`} data-testid="flag" data-flag={`${f.code}:${f.scope}`}>
                {f.code === 'cutoff'
                  ? t('assessments.entry.flagCutoff', { scope: scopeName(f.scope), score: f.params.score, cutoff: f.params.cutoff })
                  : t('assessments.entry.flagProrated', { scope: scopeName(f.scope), items: f.params.items })}
              </li>
            ))}
          </ul>
          )}
        </>
      ) : (
        <p class="muted">—</p>
      )}
    </section>
  );
}

// The live plan check: one row per check of the evidence profile, green / red / amber / grey with
// the explanation in the reader's language. Re-rendered on every keystroke from shared/checkPlan.
import type { Check } from '../../../../shared/domain/check.ts';
import { useT } from '../../i18n/index.ts';
import { checkText, sourceText, thresholdText } from '../../i18n/programmes.ts';
import { countPassed, STATUS_ICON } from './common.tsx';

export function PlanCheckPanel(props: { checks: readonly Check[]; profileName: string }) {
  const { t, lng } = useT();
  const { pass, total } = countPassed(props.checks);
  return (
    <section class="plan-check card" id="plan-check" aria-labelledby="plan-check-title" data-testid="plan-check">
      <h2 id="plan-check-title">{t('programmes.check.title')}</h2>
      <p class="muted">{t('programmes.check.intro', { profile: props.profileName })}</p>
      <p class="plan-check-summary" data-testid="plan-check-summary" aria-live="polite">
        {t('programmes.check.summary', { pass, total })}
      </p>
      <ul class="check-list">
        {props.checks.map((check) => {
          const text = checkText(check, lng);
          return (
            <li key={check.id} class={`check-item check-${check.status}`} data-testid={`check-${check.id}`} data-status={check.status}>
              <span class="check-icon" aria-hidden="true">
                {STATUS_ICON[check.status]}
              </span>
              <div class="check-body">
                <div class="check-head">
                  <strong class="check-label">{text.label}</strong>
                  <span class={`badge check-badge check-badge-${check.status}`}>{t(`programmes.check.status.${check.status}`)}</span>
                </div>
                <p class="check-explanation" data-testid="check-explanation">
                  {text.explanation}
                </p>
                <details class="check-source">
                  <summary>
                    {t('programmes.check.threshold')}: {thresholdText(check.threshold, lng)}
                    {check.threshold.isProductDefault ? ` · ${t('programmes.check.productDefault')}` : ''}
                  </summary>
                  <p>
                    {t('programmes.check.source')}: {sourceText(check.threshold, lng)}
                  </p>
                </details>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

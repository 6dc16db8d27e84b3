import { Alert } from './ui.tsx';
import { useT } from '../i18n/index.ts';

/** Shown after a 409 version_conflict: the save was refused, nothing was overwritten. */
export interface Difference {
  label: string;
  theirs: string;
  mine: string;
}

export function ConflictNotice(props: {
  differences?: Difference[];
  onLoadTheirs: () => void;
  onKeepMine: () => void;
}) {
  const { t } = useT();
  return (
    <div class="conflict" data-testid="conflict">
      <Alert kind="warning" code="version_conflict" focus>
        <strong>{t('conflict.title')}</strong>
        <p>{t('conflict.body')}</p>
        {props.differences && props.differences.length > 0 ? (
          <table class="conflict-table" data-testid="conflict-differences">
            <thead>
              <tr>
                <th scope="col">{t('conflict.field')}</th>
                <th scope="col">{t('conflict.theirs')}</th>
                <th scope="col">{t('conflict.mine')}</th>
              </tr>
            </thead>
            <tbody>
              {props.differences.map((d) => (
                <tr key={d.label}>
                  <th scope="row">{d.label}</th>
                  <td>{d.theirs}</td>
                  <td>{d.mine}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <div class="actions">
          <button type="button" class="button" data-testid="conflict-load-theirs" onClick={props.onLoadTheirs}>
            {t('conflict.loadTheirs')}
          </button>
          <button type="button" class="button button-secondary" data-testid="conflict-keep-mine" onClick={props.onKeepMine}>
            {t('conflict.keepMine')}
          </button>
        </div>
      </Alert>
    </div>
  );
}

/** The server's current document from a version_conflict error, if it sent one. */
export function conflictCurrent<T>(details: unknown): T | null {
  if (typeof details === 'object' && details !== null && 'current' in details) {
    const current = (details as { current: unknown }).current;
    if (typeof current === 'object' && current !== null) return current as T;
  }
  return null;
}

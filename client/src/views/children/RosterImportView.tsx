// CSV roster import: choose a file (UTF-8 or GBK, as Excel saves it) or paste rows, check the
// preview (errors and duplicates highlighted, nothing saved yet), then import once.
import { useState } from 'preact/hooks';
import { ROSTER_COLUMNS, rosterLimits } from '../../../../shared/schemas/roster.ts';
import { childrenApi, readCsvFile, type ImportPreview, type ImportResult, type PreviewRow, type RowIssue } from '../../api/roster.ts';
import { Alert, ErrorAlert, formatDateTime, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { i18next, useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { classLabel, pad2, pickSchool, SchoolPicker, useSchools } from './common.tsx';

export function RosterImportView(props: { query: URLSearchParams }) {
  const { t, lng } = useT();
  const { schools, error: schoolsError } = useSchools();
  const school = schools ? pickSchool(schools, props.query.get('school')) : null;
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | null>(null);
  const [gbk, setGbk] = useState(false);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'preview' | 'confirm' | null>(null);
  const [onlyProblems, setOnlyProblems] = useState(false);

  if (schoolsError) return <ErrorAlert error={schoolsError} />;
  if (!schools) return <Loading />;
  if (!school) return <p class="empty">{t('roster.list.noSchool')}</p>;

  const reset = () => {
    setPreview(null);
    setResult(null);
    setError(null);
  };

  const chooseFile = async (file: File | undefined) => {
    reset();
    setFileError(null);
    if (!file) return;
    try {
      const read = await readCsvFile(file);
      setText(read.text);
      setGbk(read.encoding !== 'utf-8');
      setFileName(file.name);
    } catch (e) {
      setFileError(t('roster.import.fileError', { message: e instanceof Error ? e.message : String(e) }));
    }
  };

  const check = async () => {
    reset();
    setBusy('preview');
    try {
      setPreview(await childrenApi.previewImport(school.id, text));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const confirm = async () => {
    if (!preview?.token) return;
    setError(null);
    setBusy('confirm');
    try {
      setResult(await childrenApi.confirmImport(preview.token));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const rows = preview ? (onlyProblems ? preview.rows.filter((r) => r.status !== 'new') : preview.rows) : [];
  const rosterUrl = `/children?school=${school.id}`;

  return (
    <section data-testid="roster-import-page" class="roster-import">
      <p class="breadcrumb">
        <Link href={rosterUrl}>← {t('roster.list.title')}</Link>
      </p>
      <PageTitle>{t('roster.import.title')}</PageTitle>
      <p class="lead">{t('roster.import.intro')}</p>
      <SchoolPicker schools={schools} value={school.id} onChange={(id) => navigate(`/children/import?school=${id}`)} />

      {result ? (
        <div class="card" data-testid="import-result">
          <Alert kind="success" focus>
            <strong>{t('roster.import.done', { count: result.imported })}</strong>
            {result.skippedDuplicates + result.errors > 0 ? <p>{t('roster.import.doneSkipped', { duplicates: result.skippedDuplicates, errors: result.errors })}</p> : null}
            {result.replayed ? <p>{t('roster.import.replayed')}</p> : null}
          </Alert>
          <div class="actions">
            <Link href={rosterUrl} class="button button-primary" testid="import-to-roster">
              {t('roster.import.toRoster')}
            </Link>
            <button
              type="button"
              class="button button-secondary"
              onClick={() => {
                reset();
                setText('');
                setFileName(null);
              }}
            >
              {t('roster.import.again')}
            </button>
          </div>
        </div>
      ) : (
        <>
          <div class="card import-step">
            <h2>{t('roster.import.step1')}</h2>
            <label class="field">
              <span>{t('roster.import.file')}</span>
              <input type="file" accept=".csv,.txt,text/csv,text/plain" data-testid="import-file" onChange={(e) => void chooseFile(e.currentTarget.files?.[0])} />
              <span class="field-hint">{t('roster.import.fileHint', { rows: rosterLimits.importRows })}</span>
            </label>
            {fileError ? <Alert kind="error">{fileError}</Alert> : null}
            {gbk ? <Alert kind="info">{t('roster.import.decodedGbk')}</Alert> : null}
            <label class="field">
              <span>
                {t('roster.import.orPaste')}
                {fileName ? <span class="muted"> · {fileName}</span> : null}
              </span>
              <textarea
                class="csv-input"
                data-testid="import-text"
                rows={6}
                spellcheck={false}
                value={text}
                onInput={(e) => {
                  setText(e.currentTarget.value);
                  setPreview(null);
                }}
              />
            </label>
            <div class="actions">
              <button type="button" class="button button-primary" data-testid="import-preview" disabled={busy !== null || text.trim() === ''} onClick={() => void check()}>
                {busy === 'preview' ? t('roster.import.previewing') : t('roster.import.preview')}
              </button>
              <a class="button button-secondary" href={childrenApi.templateUrl('zh-CN')} download data-testid="template-zh">
                {t('roster.import.templateZh')}
              </a>
              <a class="button button-secondary" href={childrenApi.templateUrl('en')} download data-testid="template-en">
                {t('roster.import.templateEn')}
              </a>
            </div>
            <ColumnsHelp />
          </div>

          <ErrorAlert error={error} testid="import-error" />

          {preview ? (
            <div class="card import-step" data-testid="import-preview-panel">
              <h2>{t('roster.import.step2')}</h2>
              <p data-testid="import-summary" class="import-summary">
                <span class="badge badge-ok">{t('roster.import.statusNew')} {preview.counts.new}</span>{' '}
                <span class="badge status-duplicate">{t('roster.import.statusDuplicate')} {preview.counts.duplicates}</span>{' '}
                <span class="badge status-error">{t('roster.import.statusError')} {preview.counts.errors}</span>
                <br />
                {t('roster.import.summary', preview.counts)}
              </p>
              <p class="muted">
                {t('roster.import.headerAt', { line: preview.headerLine })}
                {preview.ignoredHeaders.length > 0 ? ` ${t('roster.import.ignored', { columns: preview.ignoredHeaders.join(', ') })}` : ''}
              </p>
              <label class="check">
                <input type="checkbox" checked={onlyProblems} onChange={(e) => setOnlyProblems(e.currentTarget.checked)} data-testid="import-only-problems" />
                {t('roster.import.onlyProblems')}
              </label>
              <div class="table-wrap">
                <table class="table responsive-table import-table" data-testid="import-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('roster.import.line')}</th>
                      <th scope="col">{t('roster.field.displayName')}</th>
                      <th scope="col">{t('roster.import.status')}</th>
                      <th scope="col">{t('roster.field.className')}</th>
                      <th scope="col">{t('roster.field.birth')}</th>
                      <th scope="col">{t('roster.field.leftBehindStatus')}</th>
                      <th scope="col">{t('roster.field.caregiver')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((row) => (
                      <PreviewLine key={row.line} row={row} />
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          ) : null}

          {preview ? (
            <div class="card import-step" data-testid="import-confirm-panel">
              <h2>{t('roster.import.step3')}</h2>
              {preview.token ? (
                <>
                  <p class="muted">
                    {t('roster.import.skipNote')} {preview.expiresAt ? t('roster.import.expiresAt', { time: formatDateTime(preview.expiresAt, lng) }) : null}
                  </p>
                  <button type="button" class="button button-primary button-block" data-testid="import-confirm" disabled={busy !== null} onClick={() => void confirm()}>
                    {busy === 'confirm' ? t('roster.import.confirming') : t('roster.import.confirm', { count: preview.counts.new })}
                  </button>
                </>
              ) : (
                <Alert kind="warning">{t('roster.import.nothingToImport')}</Alert>
              )}
            </div>
          ) : null}
        </>
      )}
    </section>
  );
}

function PreviewLine(props: { row: PreviewRow }) {
  const { t } = useT();
  const { row } = props;
  const c = row.child;
  const cell = (k: keyof PreviewRow['cells']) => row.cells[k] ?? '';
  const status = row.status === 'new' ? t('roster.import.statusNew') : row.status === 'error' ? t('roster.import.statusError') : t('roster.import.statusDuplicate');
  return (
    <>
      <tr class={`import-row status-${row.status}`} data-testid="import-row" data-status={row.status} data-line={row.line}>
        <td data-label={t('roster.import.line')} class="nowrap">
          {row.line}
        </td>
        <th scope="row" class="cell-title" data-label={t('roster.field.displayName')}>
          {c ? c.displayName : cell('displayName') || '—'}
        </th>
        <td data-label={t('roster.import.status')}>
          <span class={`badge status-${row.status}`}>{status}</span>
          {row.duplicateOf ? (
            <span class="dup-note" data-testid="import-duplicate">
              {' '}
              {row.duplicateOf.kind === 'file'
                ? t('roster.import.dupFile', { line: row.duplicateOf.line })
                : row.duplicateOf.active
                  ? t('roster.import.dupRoster', { code: row.duplicateOf.code })
                  : t('roster.import.dupRosterInactive', { code: row.duplicateOf.code })}
            </span>
          ) : null}
          {row.errors.length > 0 ? (
            <ul class="issue-list" data-testid="import-errors">
              {row.errors.map((e, i) => (
                <li key={i}>{issueText(e)}</li>
              ))}
            </ul>
          ) : null}
        </td>
        <td data-label={t('roster.field.className')}>{c ? classLabel(c.grade, c.className) : [cell('grade'), cell('className')].filter(Boolean).join(' ')}</td>
        <td data-label={t('roster.field.birth')} class="nowrap">
          {c ? `${c.birthYear}-${pad2(c.birthMonth)}` : cell('birth') || [cell('birthYear'), cell('birthMonth')].filter(Boolean).join('-')}
        </td>
        <td data-label={t('roster.field.leftBehindStatus')}>
          {c ? t(`roster.value.leftBehindShort.${c.leftBehindStatus}`) : cell('leftBehindStatus')}
          {c && c.monthsSinceSeparation !== null ? <span class="muted"> · {t('roster.months', { count: c.monthsSinceSeparation })}</span> : null}
        </td>
        <td data-label={t('roster.field.caregiver')}>{c ? t(`roster.value.caregiver.${c.caregiver}`) : cell('caregiver')}</td>
      </tr>
    </>
  );
}

/** "Line 5, column C “出生年份”: use a year such as 2014 (found “二零一四”)" in the user's language. */
function issueText(e: RowIssue): string {
  const t = i18next.t as unknown as (k: string, o?: object) => string;
  const message = t(`roster.import.issueText.${e.code}`) + (e.value ? t('roster.import.found', { value: e.value }) : '');
  return e.column
    ? t('roster.import.issue', { line: e.line, letter: e.columnLetter, column: e.column, message })
    : t('roster.import.issueNoColumn', { line: e.line, message });
}

function ColumnsHelp() {
  const { t, lng } = useT();
  return (
    <details class="columns-help" data-testid="import-columns-help">
      <summary>{t('roster.import.columnsTitle')}</summary>
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t('roster.import.colHeaderZh')}</th>
              <th scope="col">{t('roster.import.colHeaderEn')}</th>
              <th scope="col">{t('roster.import.colValues')}</th>
              <th scope="col">{t('roster.import.colRequired')}</th>
            </tr>
          </thead>
          <tbody>
            {ROSTER_COLUMNS.map((c) => (
              <tr key={c.key}>
                <td>{c.zh}</td>
                <td class="code">{c.en}</td>
                <td>{lng === 'zh-CN' ? c.valuesZh : c.valuesEn}</td>
                <td>{c.required ? t('roster.yes') : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { isApiError } from '../api/client.ts';
import { TEXT_MESSAGES } from '../../../shared/domain/text-rule.ts';
import { i18next, tMaybe, useT } from '../i18n/index.ts';
import { linkClick } from '../router.ts';

/** A user-facing sentence for any thrown error: known API codes are translated, other API
 *  errors show the server's message, anything else the generic title. */
export function errorText(error: unknown, fallback: string): string {
  if (isApiError(error)) return tMaybe(`error.${error.code}`) ?? (error.message || fallback);
  return fallback;
}

/**
 * Field-level messages from a validation error's details, keyed by the top-level field name.
 * Accepts the shapes zod-based servers commonly send: an array of issues, { issues: [...] },
 * or zod's flatten() output { fieldErrors: { name: [msg] } }.
 */
/** The API's messages of the free-text rule (shared/schemas/text.ts), in the user's language. */
const textRuleKeys = new Map<string, 'validation.textControl' | 'validation.textBidi' | 'validation.textInvisible'>([
  [TEXT_MESSAGES.control, 'validation.textControl'],
  [TEXT_MESSAGES.controlMultiline, 'validation.textControl'],
  [TEXT_MESSAGES.bidi, 'validation.textBidi'],
  [TEXT_MESSAGES.invisible, 'validation.textInvisible'],
]);
const fieldMessage = (message: string): string => {
  const key = textRuleKeys.get(message);
  return key ? i18next.t(key) : message;
};

export function fieldErrorsFrom(error: unknown): Record<string, string> {
  if (!isApiError(error) || error.details === undefined || error.details === null) return {};
  const out: Record<string, string> = {};
  const details = error.details as Record<string, unknown> | unknown[];
  const issues = Array.isArray(details)
    ? details
    : Array.isArray((details as { issues?: unknown }).issues)
      ? ((details as { issues: unknown[] }).issues)
      : null;
  if (issues) {
    for (const issue of issues) {
      if (typeof issue !== 'object' || issue === null) continue;
      const { path, message } = issue as { path?: unknown; message?: unknown };
      const key = Array.isArray(path) ? path[0] : typeof path === 'string' ? path.split('.')[0] : undefined;
      if ((typeof key === 'string' || typeof key === 'number') && typeof message === 'string') {
        out[String(key)] ??= fieldMessage(message);
      }
    }
    return out;
  }
  const fieldErrors = (details as { fieldErrors?: unknown }).fieldErrors;
  if (typeof fieldErrors === 'object' && fieldErrors !== null) {
    for (const [key, messages] of Object.entries(fieldErrors)) {
      if (Array.isArray(messages) && typeof messages[0] === 'string') out[key] = messages[0];
    }
  }
  return out;
}

export function Alert(props: {
  kind?: 'error' | 'success' | 'info' | 'warning';
  testid?: string;
  code?: string | undefined;
  children: ComponentChildren;
  focus?: boolean;
}) {
  const kind = props.kind ?? 'error';
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (props.focus) ref.current?.focus();
  }, [props.focus]);
  return (
    <div
      ref={ref}
      class={`alert alert-${kind}`}
      role={kind === 'error' || kind === 'warning' ? 'alert' : 'status'}
      tabIndex={-1}
      data-testid={props.testid ?? (kind === 'error' ? 'error' : kind === 'success' ? 'notice' : undefined)}
      data-error-code={props.code}
    >
      {props.children}
    </div>
  );
}

/** Shows a thrown error (or nothing). */
export function ErrorAlert(props: { error: unknown; testid?: string }) {
  const { t } = useT();
  if (props.error === null || props.error === undefined) return null;
  const code = isApiError(props.error) ? props.error.code : undefined;
  return (
    <Alert kind="error" code={code} focus {...(props.testid ? { testid: props.testid } : {})}>
      {errorText(props.error, t('error.title'))}
    </Alert>
  );
}

export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: 'true';
  'aria-required'?: 'true';
}

/** A labelled form control with an optional hint and error, wired up for screen readers. */
export function Field(props: {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  required?: boolean;
  testid?: string;
  children: (control: ControlProps) => ComponentChildren;
}) {
  const { t } = useT();
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.error ? errorId : null, props.hint ? hintId : null].filter(Boolean).join(' ');
  const control: ControlProps = { id };
  if (describedBy) control['aria-describedby'] = describedBy;
  if (props.error) control['aria-invalid'] = 'true';
  if (props.required) control['aria-required'] = 'true';
  return (
    <div class={`field${props.error ? ' field-invalid' : ''}`} data-testid={props.testid}>
      <label for={id}>
        {props.label}
        {props.required ? <span class="required"> ({t('field.required')})</span> : null}
      </label>
      {props.children(control)}
      {props.error ? (
        <p class="field-error" id={errorId} data-testid="field-error">
          {props.error}
        </p>
      ) : null}
      {props.hint ? (
        <p class="field-hint" id={hintId}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

export function Link(props: {
  href: string;
  class?: string;
  testid?: string;
  current?: boolean;
  children: ComponentChildren;
}) {
  return (
    <a
      href={props.href}
      class={props.class}
      onClick={linkClick}
      data-testid={props.testid}
      aria-current={props.current ? 'page' : undefined}
    >
      {props.children}
    </a>
  );
}

/** The page heading; receives focus after in-app navigation so screen readers announce it. */
export function PageTitle(props: { children: ComponentChildren; testid?: string }) {
  return (
    <h1 tabIndex={-1} class="page-title" data-testid={props.testid ?? 'page-title'}>
      {props.children}
    </h1>
  );
}

export function Loading() {
  const { t } = useT();
  return (
    <p class="loading" role="status" data-testid="loading">
      {t('common.loading')}
    </p>
  );
}

export function formatDateTime(iso: string, lng: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(lng, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}

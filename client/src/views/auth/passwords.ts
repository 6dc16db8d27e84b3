import { PASSWORD_MAX, PASSWORD_MIN } from '../../api/types.ts';
import { i18next } from '../../i18n/index.ts';

/** Message for a new password (and its repetition), or undefined when both are fine. */
export function passwordProblem(password: string): string | undefined {
  if (password.length === 0) return i18next.t('validation.required');
  if (password.length < PASSWORD_MIN) return i18next.t('validation.passwordMin', { min: PASSWORD_MIN });
  if (password.length > PASSWORD_MAX) return i18next.t('validation.passwordMax', { max: PASSWORD_MAX });
  return undefined;
}

export function confirmProblem(password: string, confirm: string): string | undefined {
  if (confirm.length === 0) return i18next.t('validation.required');
  return password === confirm ? undefined : i18next.t('validation.passwordMismatch');
}

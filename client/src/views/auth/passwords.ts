import { accountLimits, PASSWORD_MAX, PASSWORD_MIN } from '../../api/types.ts';
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

/** Same rule as the API's username schema (shared/schemas/accounts.ts), which also lower-cases. */
export function usernameProblem(raw: string): string | undefined {
  const username = raw.trim().toLowerCase();
  if (username.length === 0) return i18next.t('validation.required');
  if (username.length < accountLimits.usernameMin || username.length > accountLimits.usernameMax) {
    return i18next.t('validation.usernameLength', { min: accountLimits.usernameMin, max: accountLimits.usernameMax });
  }
  if (!/^[a-z0-9._-]+$/.test(username)) return i18next.t('validation.usernameChars');
  return undefined;
}

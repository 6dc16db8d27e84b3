import { useEffect } from 'preact/hooks';
import type { PasswordProblem } from '../../../../shared/domain/password-policy.ts';
import { accountLimits, PASSWORD_MAX, PASSWORD_MIN } from '../../api/types.ts';
import { i18next } from '../../i18n/index.ts';

type Policy = typeof import('../../../../shared/domain/password-policy.ts');
let policy: Policy | null = null;

/**
 * Loads the shared password policy (the API's rule, with zxcvbn's dictionaries: a chunk of its own,
 * fetched only by the forms that set a password). Until it arrives only the length is checked here;
 * the API applies the whole rule either way.
 */
export function usePasswordPolicy(): void {
  useEffect(() => {
    if (!policy) void import('../../../../shared/domain/password-policy.ts').then((m) => (policy = m), () => undefined);
  }, []);
}

/** Message for a new password (and its repetition), or undefined when both are fine. */
export function passwordProblem(password: string): string | undefined {
  if (password.length === 0) return i18next.t('validation.required');
  const problem: PasswordProblem | null = policy
    ? policy.passwordProblem(password)
    : password.length < PASSWORD_MIN
      ? 'too_short'
      : password.length > PASSWORD_MAX
        ? 'too_long'
        : null;
  switch (problem) {
    case null:
      return undefined;
    case 'too_short':
      return i18next.t('validation.passwordMin', { min: PASSWORD_MIN });
    case 'too_long':
      return i18next.t('validation.passwordMax', { max: PASSWORD_MAX });
    case 'blank':
      return i18next.t('validation.passwordBlank');
    case 'common':
      return i18next.t('validation.passwordCommon');
    case 'weak':
      return i18next.t('validation.passwordWeak');
  }
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

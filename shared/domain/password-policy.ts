// Password policy, one rule for the API and the client forms (issue 10 item 9).
// - length: LIMITS.password (at least 10, at most 200 characters; the source is named there);
// - not blank: whitespace and NUL only is refused;
// - not common and not guessable: zxcvbn-ts (the maintained TypeScript port of Dropbox's zxcvbn,
//   with its list of common passwords and diceware words) must rate it at least 3 of 4 ("safely
//   unguessable: moderate protection from an offline slow-hash attack", < 10^10 guesses), and a
//   password that is wholly a common password is named as such. NIST SP 800-63B §5.1.1.2 asks to
//   compare new passwords against lists of commonly used or compromised values.
// The dictionaries are large (≈ 400 kB), so the checker is built on first use; the client loads
// this module only with a password form.
import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { LIMITS } from '../limits.ts';

/** Lowest zxcvbn score accepted (0–4; 3 = safely unguessable, see above). */
export const MIN_PASSWORD_SCORE = 3;

/**
 * Passwords frequent among Chinese users that zxcvbn's (mostly Western) lists rate as strong
 * (woaini1314 scores 3). From the top lists of Li, Han & Xu, "A Large-Scale Empirical Analysis of
 * Chinese Web Passwords", USENIX Security 2014 (pinyin phrases, "520/1314" love numbers, QQ).
 */
const CHINESE_COMMON = ['woaini1314', 'woaini520', 'woaini', '5201314', '1314520', 'qq123456', 'a123456789', 'abc123456', '123456abc', '1qaz2wsx', 'aini1314', 'woaiwojia', 'iloveyou1314'];

export type PasswordProblem = 'too_short' | 'too_long' | 'blank' | 'common' | 'weak';

export const PASSWORD_MESSAGES: Record<PasswordProblem, string> = {
  too_short: `must have at least ${LIMITS.password.min} characters`,
  too_long: `must have at most ${LIMITS.password.max} characters`,
  blank: 'must not be only spaces or invisible characters',
  common: 'is one of the most common passwords; choose another',
  weak: 'is too easy to guess; use a longer passphrase, e.g. four unrelated words',
};

let checker: ZxcvbnFactory | undefined;
function strength(password: string, userInputs: string[]): ZxcvbnResult {
  checker ??= new ZxcvbnFactory({ dictionary: { ...dictionary, chineseCommon: CHINESE_COMMON }, graphs: adjacencyGraphs });
  return checker.check(password, userInputs);
}

/** The first problem of a new password, or null. `userInputs`: username, display name … (not allowed to carry it). */
export function passwordProblem(password: string, userInputs: string[] = []): PasswordProblem | null {
  if (/^[\s\u0000]*$/u.test(password)) return 'blank';
  const length = [...password].length;
  if (length < LIMITS.password.min) return 'too_short';
  if (length > LIMITS.password.max) return 'too_long';
  const result = strength(password, userInputs.filter((s) => s.length > 0));
  const whole = result.sequence.length === 1 ? result.sequence[0] : undefined;
  if (whole && whole.pattern === 'dictionary' && whole.dictionaryName !== 'userInputs' && !String(whole.dictionaryName).startsWith('diceware')) return 'common';
  if (result.score < MIN_PASSWORD_SCORE) return 'weak';
  return null;
}

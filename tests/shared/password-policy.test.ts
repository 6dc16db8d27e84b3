// Issue 10 item 9: one password rule for the API and the forms — length ≥ 10, not blank, not a
// common password, rated ≥ 3 by zxcvbn-ts.
import { describe, expect, it } from 'vitest';
import { passwordProblem } from '../../shared/domain/password-policy.ts';
import { setupSchema } from '../../shared/schemas/users.ts';
import { DEMO_PASSWORD } from '../../server/demo/load-demo.ts';

describe('password policy', () => {
  it.each([
    ['', 'blank'],
    ['            ', 'blank'],
    ['\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000', 'blank'],
    [' \t\n\u3000 \u0000    ', 'blank'],
    ['short1!', 'too_short'],
    ['x'.repeat(201), 'too_long'],
    ['password123', 'common'],
    ['1234567890', 'common'],
    ['qwertyuiop', 'common'],
    ['woaini1314', 'common'],
    ['abcdefghij', 'weak'],
    ['Password1234', 'weak'],
    ['aaaaaaaaaaaa', 'weak'],
  ])('when the password is %j, then it is refused as %s', (password, problem) => {
    expect(passwordProblem(password)).toBe(problem);
  });

  it.each(['correct horse battery staple', 'a brand new passphrase', 'Tr0ub4dor&3x-plus', '跳绳 足球 篮球 晨跑 2025', DEMO_PASSWORD])('when the password is %j, then it is accepted', (password) => {
    expect(passwordProblem(password)).toBeNull();
  });

  it('when the setup schema reads a common password, then the issue says why', () => {
    const r = setupSchema.safeParse({ username: 'root', displayName: 'Root', password: 'password123' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/most common passwords/);
  });
});

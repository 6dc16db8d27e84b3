// Session tokens and CSRF tokens.
// CSRF: the "signed double-submit cookie" pattern (OWASP CSRF Prevention Cheat Sheet), with the
// signature bound to the session: the server sets a random token, signed with SESSION_SECRET
// over the token AND the session it was minted for, in a readable cookie; every state-changing
// request must echo it in the X-CSRF-Token header. A cross-site page can neither read the cookie
// nor forge the signature, and a token minted for another browser or session (planted by cookie
// tossing, or copied) does not verify for this one.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Random id of a browser before sign-in (httpOnly cookie), so the sign-in form's token is bound too. */
export const newBrowserId = newSessionToken;

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function sign(secret: string, binding: string, value: string): string {
  return createHmac('sha256', secret).update(`csrf:${binding}:${value}`).digest('base64url');
}

/** `binding` names the session (or, before sign-in, the browser) the token is for: csrfBindingOf(). */
export function newCsrfToken(secret: string, binding: string): string {
  const value = randomBytes(24).toString('base64url');
  return `${value}.${sign(secret, binding, value)}`;
}

export function isValidCsrfToken(secret: string, token: string | undefined, binding: string | null): boolean {
  if (!token || token.length > 200 || !binding) return false;
  const [value, signature, extra] = token.split('.');
  if (!value || !signature || extra !== undefined) return false;
  const expected = Buffer.from(sign(secret, binding, value));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

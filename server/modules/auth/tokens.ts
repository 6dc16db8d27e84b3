// Session tokens and CSRF tokens.
// CSRF: the "signed double-submit cookie" pattern (OWASP CSRF Prevention Cheat Sheet): the server
// sets a random token signed with SESSION_SECRET in a readable cookie; every state-changing
// request must echo it in the X-CSRF-Token header. A cross-site page can neither read the cookie
// nor forge the signature.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function sign(secret: string, value: string): string {
  return createHmac('sha256', secret).update(`csrf:${value}`).digest('base64url');
}

export function newCsrfToken(secret: string): string {
  const value = randomBytes(24).toString('base64url');
  return `${value}.${sign(secret, value)}`;
}

export function isValidCsrfToken(secret: string, token: string | undefined): boolean {
  if (!token || token.length > 200) return false;
  const [value, signature, extra] = token.split('.');
  if (!value || !signature || extra !== undefined) return false;
  const expected = Buffer.from(sign(secret, value));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

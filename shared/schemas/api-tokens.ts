// Personal API tokens for scripts (R, Python, a school system): the request a user sends to create
// one and the shapes the API answers with, shared by the server, its API reference and the client.
import { z } from 'zod';

/** Product limits: a token lives at most a year, so a forgotten one dies on its own. */
export const apiTokenLimits = {
  nameMax: 80,
  lifetimeDaysMin: 1,
  lifetimeDaysMax: 365,
  lifetimeDaysDefault: 90,
  /** Unexpired, unrevoked tokens per user: enough for every script, few enough to review. */
  activePerUserMax: 20,
} as const;

export const createApiTokenSchema = z.strictObject({
  name: z.string().trim().min(1, 'give the token a name (what the script is for)').max(apiTokenLimits.nameMax),
  expiresInDays: z
    .number()
    .int()
    .min(apiTokenLimits.lifetimeDaysMin)
    .max(apiTokenLimits.lifetimeDaysMax, `a token lives at most ${apiTokenLimits.lifetimeDaysMax} days`)
    .default(apiTokenLimits.lifetimeDaysDefault),
});
export type CreateApiTokenInput = z.infer<typeof createApiTokenSchema>;

export const apiTokenStatuses = ['active', 'expired', 'revoked'] as const;

export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The first characters of the token, to recognise it; the token itself is never shown again. */
  prefix: z.string(),
  status: z.enum(apiTokenStatuses),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiTokenJson = z.infer<typeof apiTokenSchema>;

export const apiTokenListSchema = z.object({ items: z.array(apiTokenSchema) });

/** The answer to a create: the only time the token is sent. */
export const createdApiTokenSchema = z.object({ token: z.string(), apiToken: apiTokenSchema });

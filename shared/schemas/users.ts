// API schemas of user accounts (first-run setup, create, edit): the ones that take a new password.
// Apart from shared/schemas/accounts.ts because the password policy carries large dictionaries
// (zxcvbn-ts) that the client's main bundle must not load; its forms load the policy on demand.
import { z } from 'zod';
import { passwordProblem, PASSWORD_MESSAGES } from '../domain/password-policy.ts';
import { accountLimits, displayNameSchema, locales, objectIdSchema, roles, usernameSchema, versionSchema } from './accounts.ts';

/** A new password: length, not blank, not common, not guessable (shared/domain/password-policy.ts). */
const passwordSchema = z.string().superRefine((password, ctx) => {
  const problem = passwordProblem(password);
  if (problem) ctx.addIssue({ code: 'custom', message: `the password ${PASSWORD_MESSAGES[problem]}`, params: { passwordProblem: problem } });
});

export const setupSchema = z.strictObject({
  username: usernameSchema,
  displayName: displayNameSchema,
  password: passwordSchema,
});

export const createUserSchema = z
  .strictObject({
    username: usernameSchema,
    displayName: displayNameSchema,
    password: passwordSchema,
    role: z.enum(roles),
    schoolIds: z.array(objectIdSchema).max(accountLimits.schoolsPerUserMax).default([]),
    locale: z.enum(locales).optional(),
  })
  .refine((u) => u.role === 'admin' || u.schoolIds.length > 0, {
    message: 'every non-admin user needs at least one school',
    path: ['schoolIds'],
  });

export const updateUserSchema = z.strictObject({
  version: versionSchema,
  displayName: displayNameSchema.optional(),
  password: passwordSchema.optional(),
  role: z.enum(roles).optional(),
  schoolIds: z.array(objectIdSchema).max(accountLimits.schoolsPerUserMax).optional(),
  active: z.boolean().optional(),
  /** null = follow the browser's language again. */
  locale: z.enum(locales).nullable().optional(),
});

export type SetupInput = z.infer<typeof setupSchema>;
export type CreateUserInput = z.infer<typeof createUserSchema>;
export type UpdateUserInput = z.infer<typeof updateUserSchema>;

import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { apiTokenLimits } from '../../../shared/schemas/api-tokens.ts';

/**
 * Personal API tokens. Only the SHA-256 of a token is stored: the token is 256 random bits, so a
 * fast hash is enough (nothing to guess; a slow password hash would only slow every request).
 * Revoked tokens are kept (revokedAt) so the owner's list and the audit trail still name them.
 */
const apiTokenSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true, maxlength: apiTokenLimits.nameMax },
    tokenHash: { type: String, required: true, unique: true }, // sha256(token), hex
    prefix: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
apiTokenSchema.index({ userId: 1, createdAt: -1 });

export type ApiTokenDoc = InferSchemaType<typeof apiTokenSchema> & { _id: mongoose.Types.ObjectId };
export const ApiToken = mongoose.model('ApiToken', apiTokenSchema, 'api_tokens');

export function toApiTokenJson(doc: ApiTokenDoc, now = new Date()) {
  const status = doc.revokedAt ? 'revoked' : doc.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active';
  return {
    id: String(doc._id),
    name: doc.name,
    prefix: doc.prefix,
    status,
    createdAt: doc.createdAt.toISOString(),
    expiresAt: doc.expiresAt.toISOString(),
    lastUsedAt: doc.lastUsedAt?.toISOString() ?? null,
    revokedAt: doc.revokedAt?.toISOString() ?? null,
  } as const;
}

/**
 * Once-only token events (`<tokenId>:first_use`, `<tokenId>:revoke`) are claimed by inserting
 * this document: of two concurrent requests only one insert succeeds (duplicate `_id`), so each
 * event is audited exactly once — conditional updates are not atomic on FerretDB (DESIGN §2 rule 7).
 */
const apiTokenEventSchema = new Schema({ _id: { type: String, required: true }, at: { type: Date, required: true } }, { versionKey: false });
export const ApiTokenEvent = mongoose.model('ApiTokenEvent', apiTokenEventSchema, 'api_token_events');

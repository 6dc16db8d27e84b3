import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { forgetOnWrite } from '../../db/sole-writer-cache.ts';
import { accountLimits, locales, roles } from '../../../shared/schemas/accounts.ts';

const userSchema = new Schema(
  {
    username: { type: String, required: true, unique: true, maxlength: accountLimits.usernameMax },
    displayName: { type: String, required: true, maxlength: accountLimits.displayNameMax },
    // argon2id PHC string. Not `select: false`: FerretDB rejects the projection mongoose would add
    // to findOneAndUpdate (shared/DESIGN.md §2 rule 2); toUserJson strips it instead.
    passwordHash: { type: String, required: true },
    role: { type: String, enum: roles, required: true },
    schoolIds: { type: [Schema.Types.ObjectId], default: [] },
    active: { type: Boolean, default: true },
    locale: { type: String, enum: [...locales, null], default: null },
    lastLoginAt: { type: Date, default: null },
    /** Optimistic concurrency: every update must name the version it read. */
    version: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false },
);

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: mongoose.Types.ObjectId };
// Every signed-in request reads its user through the sole-writer cache; writes forget it.
forgetOnWrite(userSchema, 'User');
export const User = mongoose.model('User', userSchema, 'users');

export function toUserJson(user: UserDoc) {
  return {
    id: String(user._id),
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    schoolIds: user.schoolIds.map(String),
    active: user.active,
    locale: user.locale ?? undefined,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    version: user.version,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}
export type UserJson = ReturnType<typeof toUserJson>;

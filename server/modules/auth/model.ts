import mongoose, { Schema } from 'mongoose';
import { forgetOnWrite } from '../../db/sole-writer-cache.ts';

/**
 * Login sessions stored in the database so several app processes can share them. The cookie
 * holds a random token; only its SHA-256 is stored. Expired sessions are removed by a periodic
 * delete, not a TTL index (FerretDB has none: shared/DESIGN.md §2 rule 3).
 */
const loginSessionSchema = new Schema(
  {
    _id: { type: String, required: true }, // sha256(token), hex
    userId: { type: Schema.Types.ObjectId, required: true },
    createdAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
loginSessionSchema.index({ expiresAt: 1 });
loginSessionSchema.index({ userId: 1 });

// Every signed-in request reads its login session through the sole-writer cache; writes forget it.
forgetOnWrite(loginSessionSchema, 'LoginSession');
export const LoginSession = mongoose.model('LoginSession', loginSessionSchema, 'login_sessions');

/**
 * First-run setup claims this single document by inserting it: of two concurrent setups only one
 * insert succeeds (duplicate key on `_id`), so there is never a second "first" admin.
 */
const setupClaimSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
);
export const SetupClaim = mongoose.model('SetupClaim', setupClaimSchema, 'setup_claims');

// A validated roster-import preview, kept server-side until the teacher confirms it. The token is
// the document id (random, 128 bits). No TTL index (FerretDB lacks them, shared/DESIGN.md §2
// rule 3): expired previews are deleted by `deleteExpiredRosterImports`, run on every new preview.
import { Schema, model } from 'mongoose';

const importRowSchema = new Schema(
  {
    /** Child id chosen at preview time, so a confirm that is resumed after a crash inserts each child once. */
    childId: { type: Schema.Types.ObjectId, required: true },
    line: { type: Number, required: true },
    child: { type: Schema.Types.Mixed, required: true },
  },
  { _id: false },
);

const rosterImportSchema = new Schema(
  {
    _id: { type: String, required: true },
    schoolId: { type: Schema.Types.ObjectId, required: true },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    createdAt: { type: Date, required: true },
    /** ready → importing → done. A token is confirmed once; retries of a done import get its result. */
    state: { type: String, enum: ['ready', 'importing', 'done'], required: true },
    claimedAt: { type: Date, default: null },
    rows: { type: [importRowSchema], default: [] },
    counts: { type: Schema.Types.Mixed, required: true },
    result: { type: Schema.Types.Mixed, default: null },
  },
  { versionKey: false, minimize: false },
);
rosterImportSchema.index({ createdAt: 1 });

export const RosterImport = model('RosterImport', rosterImportSchema, 'roster_imports');

/**
 * Who is confirming a preview right now. Claiming is an insert on `_id` (the token): a unique-key
 * insert is atomic on every engine, whereas a conditional update is read-modify-write on SQLite
 * FerretDB (shared/DESIGN.md §2 rule 7), so two racing confirms could both "win" an update.
 */
const rosterImportClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    claimedAt: { type: Date, required: true },
  },
  { versionKey: false },
);
rosterImportClaimSchema.index({ claimedAt: 1 });
export const RosterImportClaim = model('RosterImportClaim', rosterImportClaimSchema, 'roster_import_claims');

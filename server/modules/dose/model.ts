// Per-child dose summary of a programme (computed pattern): recomputed from the group's sessions
// after every register save, idempotently, so reports read O(children), never O(attendance marks).
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const weekSchema = new Schema(
  {
    /** Programme week number, 1-based. */
    week: { type: Number, required: true },
    scheduled: { type: Number, required: true },
    /** Sessions with a register mark for the child (attendance is judged on these). */
    logged: { type: Number, default: 0 },
    /** Past sessions not logged yet (no register, or no mark for the child): not absences. */
    notLogged: { type: Number, default: 0 },
    attended: { type: Number, required: true },
    aerobicMinutes: { type: Number, required: true },
    qualifying: { type: Number, required: true },
  },
  { _id: false },
);

const doseSummarySchema = new Schema(
  {
    /** `${programmeId}:${childId}` — one summary per child and programme; upserts are idempotent. */
    _id: { type: String, required: true },
    programmeId: { type: Schema.Types.ObjectId, required: true, index: true },
    childId: { type: Schema.Types.ObjectId, required: true, index: true },
    schoolId: { type: Schema.Types.ObjectId, required: true, index: true },
    groupIds: { type: [Schema.Types.ObjectId], default: [] },
    asOf: { type: String, required: true },
    sessionsScheduled: { type: Number, required: true },
    sessionsAttended: { type: Number, required: true },
    /** Held sessions with a register mark for the child: what attendance is judged on. */
    sessionsMarked: { type: Number, default: 0 },
    /** Past sessions while a member that are not logged yet (for this child): not absences. */
    sessionsNotLogged: { type: Number, default: 0 },
    /** attended ÷ marked; null when no session with a mark for the child was held while a member. */
    attendanceRate: { type: Number, default: null },
    aerobicMinutes: { type: Number, required: true },
    /** Aerobic minutes at ≥ the profile's minimum intensity (dose–response variable). */
    qualifyingMinutes: { type: Number, default: 0 },
    qualifyingSessions: { type: Number, required: true },
    qualifyingWeeks: { type: Number, required: true },
    longestGapDays: { type: Number, default: null },
    lastAttendedOn: { type: String, default: null },
    weekly: { type: [weekSchema], default: [] },
    /** The child's checks from shared/ (status + explanation), stored for the worklist and reports. */
    checks: { type: Schema.Types.Mixed, default: [] },
    /** The full ChildDose of shared/domain/dose.ts `computeChildDose` (the source of the fields above). */
    dose: { type: Schema.Types.Mixed, default: null },
    /** Worst status over `checks` (fail > at-risk > insufficient-data > pass), for filters and rollups. */
    worstStatus: { type: String, default: 'insufficient-data' },
    /**
     * When the recompute that wrote this began reading. A write only replaces a summary read
     * earlier, so two overlapping recomputes can never leave the older result behind.
     */
    sourceReadAt: { type: Date, required: true },
    computedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export type DoseSummaryDoc = InferSchemaType<typeof doseSummarySchema>;
export const DoseSummary = mongoose.model('DoseSummary', doseSummarySchema, 'dose_summaries');

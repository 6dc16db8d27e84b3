// Per-group delivery summary of a programme (computed pattern, like DoseSummary): the group's
// delivery checks, its weekly minutes and attendance, and a rollup of its children's dose, so the
// programme report reads O(groups) documents — never registers (shared/DESIGN.md §2, §6).
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const groupWeekSchema = new Schema(
  {
    /** Programme week number, 1-based. */
    week: { type: Number, required: true },
    held: { type: Number, required: true },
    cancelled: { type: Number, required: true },
    /** Sum over held sessions of the session's aerobic minutes (any intensity). */
    aerobicMinutes: { type: Number, required: true },
    /** Sum over held sessions of aerobic minutes at ≥ the profile's minimum intensity. */
    qualifyingMinutes: { type: Number, required: true },
    qualifyingSessions: { type: Number, required: true },
    /** Register marks in held sessions, and of those present or late. */
    marks: { type: Number, required: true },
    attended: { type: Number, required: true },
  },
  { _id: false },
);

const groupDoseSchema = new Schema(
  {
    /** `${programmeId}:${groupId}` — upserts are idempotent. */
    _id: { type: String, required: true },
    programmeId: { type: Schema.Types.ObjectId, required: true, index: true },
    groupId: { type: Schema.Types.ObjectId, required: true },
    schoolId: { type: Schema.Types.ObjectId, required: true },
    asOf: { type: String, required: true },
    /** GroupSummary of shared/domain/delivery.ts checkGroupDelivery. */
    summary: { type: Schema.Types.Mixed, required: true },
    checks: { type: Schema.Types.Mixed, default: [] },
    weekly: { type: [groupWeekSchema], default: [] },
    /** Rollup of the group's children's summaries: counts by worst status and by check. */
    children: { type: Schema.Types.Mixed, required: true },
    /** Children whose summaries this recompute covered (the group's members then); see recomputeGroupDose. */
    childIds: { type: [Schema.Types.ObjectId], default: [] },
    /**
     * What the summary was computed from: the group's session count and sum of session versions,
     * the group's version (members) and the programme's version. A reader comparing these with the
     * database notices changes made by modules that did not mark the group dirty.
     */
    stamp: { type: Schema.Types.Mixed, default: null },
    sourceReadAt: { type: Date, required: true },
    computedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

export type GroupDoseDoc = InferSchemaType<typeof groupDoseSchema>;
export const GroupDose = mongoose.model('GroupDose', groupDoseSchema, 'group_doses');

// A save marks its group dirty (one small upsert) and the recompute runs after the response. Any
// reader (in this process or another) recomputes dirty groups first, so reads are never stale.
const doseDirtySchema = new Schema(
  {
    _id: { type: String, required: true }, // `${programmeId}:${groupId}`
    programmeId: { type: Schema.Types.ObjectId, required: true, index: true },
    groupId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
export type DoseDirtyDoc = InferSchemaType<typeof doseDirtySchema>;
export const DoseDirty = mongoose.model('DoseDirty', doseDirtySchema, 'dose_dirty');

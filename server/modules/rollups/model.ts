// Per-school rollup of a programme's delivery (shared/DESIGN.md §6: county views read rollups,
// never registers): one document per programme and school holding, for each of the school's
// groups, the plain outputs of the dose recompute (the group's delivery summary and checks, its
// weekly figures, its children's status counts — as computed by server/modules/dose, never
// re-derived here) plus the school's weekly totals. A county report reads one document per school.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const schoolRollupSchema = new Schema(
  {
    /** `${programmeId}:${schoolId}` — read by _id (the only lookup FerretDB indexes). */
    _id: { type: String, required: true },
    programmeId: { type: Schema.Types.ObjectId, required: true },
    schoolId: { type: Schema.Types.ObjectId, required: true },
    /**
     * One row per group of the school in the programme (RollupRow[] in service.ts, by group name),
     * as JSON text: a read model never queried by field, and FerretDB 1.24 decodes nested
     * documents value by value in Go — a 34-group school as documents took 450 ms to read on
     * this machine under load, as one text value a few ms.
     */
    rowsJson: { type: String, required: true },
    /** The school's weeks: sums over its groups' weekly figures. */
    weekly: { type: Schema.Types.Mixed, default: [] },
    /** The school's children: sums over its groups' children counts. */
    children: { type: Schema.Types.Mixed, default: null },
    /** Optimistic concurrency between app processes (compare-and-set on `version`). */
    version: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

export type SchoolRollupDoc = InferSchemaType<typeof schoolRollupSchema>;
export const SchoolRollup = mongoose.model('SchoolRollup', schoolRollupSchema, 'school_rollups');

// One questionnaire filled in by one child for one programme wave, with its stored score.
import { lastRequestIdPath } from '../../lib/idempotency.ts';
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { waves } from '../../../shared/schemas/child.ts';

const missingItemSchema = new Schema(
  { item: { type: Number, required: true }, reason: { type: String, required: true, maxlength: 200 } },
  { _id: false },
);

const assessmentSchema = new Schema(
  {
    schoolId: { type: Schema.Types.ObjectId, required: true, index: true },
    childId: { type: Schema.Types.ObjectId, required: true, index: true },
    programmeId: { type: Schema.Types.ObjectId, required: true, index: true },
    instrumentCode: { type: String, required: true },
    instrumentVersion: { type: Number, required: true },
    wave: { type: String, enum: waves, required: true },
    /** yyyy-MM-dd the questionnaire was filled in. */
    date: { type: String, required: true },
    /** Item answers in item order; null = missing (with a reason in `missing`). */
    answers: { type: [Schema.Types.Mixed], required: true },
    missing: { type: [missingItemSchema], default: [] },
    /** Score as computed by shared/ scoring with the stored instrument version. */
    score: { type: Schema.Types.Mixed, required: true },
    enteredBy: { type: Schema.Types.ObjectId, required: true },
    /** The counsellor confirmed a date outside the wave's window. */
    outsideWindowConfirmed: { type: Boolean, default: false },
    /**
     * Double data entry: `{ enteredBy, at, answers, missing }` typed by a second person; the
     * differences against `answers` are computed when read, so resolving an item clears it.
     */
    secondEntry: { type: Schema.Types.Mixed, default: null },
    version: { type: Number, default: 0 },
    /** Idempotency: the request that last wrote the questionnaire (server/lib/idempotency.ts). */
    lastRequestId: lastRequestIdPath,
  },
  { timestamps: true, versionKey: false },
);
// One assessment per child, programme, instrument and wave.
assessmentSchema.index({ childId: 1, programmeId: 1, instrumentCode: 1, wave: 1 }, { unique: true });

export type AssessmentDoc = InferSchemaType<typeof assessmentSchema> & { _id: mongoose.Types.ObjectId };
export const Assessment = mongoose.model('Assessment', assessmentSchema, 'assessments');

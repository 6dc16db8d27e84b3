// A programme: the plan (checked against an evidence profile), its groups and arm, its schedule
// settings, and the questionnaire waves the counsellors use.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { forgetOnWrite } from '../../db/sole-writer-cache.ts';
import { arms, waves } from '../../../shared/schemas/child.ts';

const weeklySlotSchema = new Schema(
  { weekday: { type: Number, required: true }, startTime: { type: String, required: true }, minutes: { type: Number, required: true } },
  { _id: false },
);
const plannedBlockSchema = new Schema(
  { activityCode: { type: String, required: true }, minutes: { type: Number, required: true }, targetIntensity: { type: String, required: true } },
  { _id: false },
);
const waveWindowSchema = new Schema(
  {
    wave: { type: String, enum: waves, required: true },
    /** yyyy-MM-dd inclusive window; a date outside asks the counsellor to confirm. */
    opensOn: { type: String, required: true },
    closesOn: { type: String, required: true },
  },
  { _id: false },
);
const programmeInstrumentSchema = new Schema(
  { code: { type: String, required: true }, version: { type: Number, required: true } },
  { _id: false },
);

const programmeSchema = new Schema(
  {
    name: { type: String, required: true, maxlength: 120 },
    schoolIds: { type: [Schema.Types.ObjectId], required: true, index: true },
    groupIds: { type: [Schema.Types.ObjectId], default: [] },
    arm: { type: String, enum: arms, required: true },
    /** yyyy-MM-dd, school-local. */
    startDate: { type: String, required: true },
    plannedWeeks: { type: Number, required: true },
    weeklyPattern: { type: [weeklySlotSchema], default: [] },
    activityBlocks: { type: [plannedBlockSchema], default: [] },
    evidenceProfileId: { type: String, required: true, default: 'seed-review' },
    timeZone: { type: String, required: true, default: 'Asia/Shanghai' },
    /** Holidays, exam weeks: no session is generated on these dates. */
    exclusionDates: { type: [String], default: [] },
    instruments: { type: [programmeInstrumentSchema], default: [] },
    waves: { type: [waveWindowSchema], default: [] },
    version: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false },
);

export type ProgrammeDoc = InferSchemaType<typeof programmeSchema> & { _id: mongoose.Types.ObjectId };
// Register saves read the programme through the sole-writer cache; writes forget it.
forgetOnWrite(programmeSchema, 'Programme');
export const Programme = mongoose.model('Programme', programmeSchema, 'programmes');

import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { accountLimits, schoolSettings } from '../../../shared/schemas/accounts.ts';

const schoolSchema = new Schema(
  {
    /** Pseudonymous code used in exports instead of the name, e.g. S001. */
    code: { type: String, required: true, unique: true },
    name: { type: String, required: true, maxlength: accountLimits.schoolNameMax },
    region: { type: String, required: true, maxlength: accountLimits.regionMax },
    county: { type: String, required: true, maxlength: accountLimits.regionMax },
    setting: { type: String, enum: schoolSettings, required: true },
    /** Sessions are scheduled in the school's local time (default Asia/Shanghai, no DST). */
    timeZone: { type: String, required: true, default: 'Asia/Shanghai' },
    version: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false },
);

export type SchoolDoc = InferSchemaType<typeof schoolSchema> & { _id: mongoose.Types.ObjectId };
export const School = mongoose.model('School', schoolSchema, 'schools');

export function toSchoolJson(school: SchoolDoc) {
  return {
    id: String(school._id),
    code: school.code,
    name: school.name,
    region: school.region,
    county: school.county,
    setting: school.setting,
    timeZone: school.timeZone,
    version: school.version,
    createdAt: school.createdAt.toISOString(),
    updatedAt: school.updatedAt.toISOString(),
  };
}
export type SchoolJson = ReturnType<typeof toSchoolJson>;

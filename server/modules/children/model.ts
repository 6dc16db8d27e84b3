// A child on a school's roster. `code` is the pseudonymous identifier used everywhere a
// researcher looks; `displayName` is seen by teachers and counsellors of the school only.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { caregivers, leftBehindStatuses, sexes } from '../../../shared/schemas/child.ts';
import type { ChildFields } from '../../../shared/schemas/roster.ts';

const childSchema = new Schema(
  {
    schoolId: { type: Schema.Types.ObjectId, required: true, index: true },
    /** Pseudonymous code, generated per school, stable and never reused (e.g. S001-0042). */
    code: { type: String, required: true, unique: true },
    displayName: { type: String, required: true, maxlength: 80 },
    sex: { type: String, enum: sexes, required: true },
    birthYear: { type: Number, required: true },
    birthMonth: { type: Number, required: true, min: 1, max: 12 },
    grade: { type: Number, required: true, min: 1, max: 12 },
    className: { type: String, default: '', maxlength: 40 },
    leftBehindStatus: { type: String, enum: leftBehindStatuses, required: true },
    monthsSinceSeparation: { type: Number, default: null },
    caregiver: { type: String, enum: caregivers, required: true },
    boarding: { type: Boolean, default: false },
    /** yyyy-MM-dd; required before any questionnaire answer is stored (PIPL: guardian consent for under-14s). */
    guardianConsentDate: { type: String, default: null },
    childAssent: { type: Boolean, default: false },
    active: { type: Boolean, default: true },
    /** yyyy-MM-dd the child was deactivated (left the school); null while active. */
    deactivatedOn: { type: String, default: null },
    /** Token of the CSV import that created the child; null when entered by hand. */
    importId: { type: String, default: null },
    version: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false },
);
childSchema.index({ schoolId: 1, displayName: 1 });

export type ChildDoc = InferSchemaType<typeof childSchema> & { _id: mongoose.Types.ObjectId };
export const Child = mongoose.model('Child', childSchema, 'children');

/** The editable fields of a child, defaults filled in (form and rule checks read these). */
export const childFieldsOf = (c: ChildDoc): ChildFields => ({
  displayName: c.displayName,
  sex: c.sex,
  birthYear: c.birthYear,
  birthMonth: c.birthMonth,
  grade: c.grade,
  className: c.className ?? '',
  leftBehindStatus: c.leftBehindStatus,
  monthsSinceSeparation: c.monthsSinceSeparation ?? null,
  caregiver: c.caregiver,
  boarding: c.boarding ?? false,
  guardianConsentDate: c.guardianConsentDate ?? null,
  childAssent: c.childAssent ?? false,
});

/** API shape of a child (with the name: only for holders of child:read). */
export function toChildJson(child: ChildDoc) {
  return {
    id: String(child._id),
    schoolId: String(child.schoolId),
    code: child.code,
    ...childFieldsOf(child),
    active: child.active ?? true,
    deactivatedOn: child.deactivatedOn ?? null,
    version: child.version ?? 0,
    createdAt: child.createdAt.toISOString(),
    updatedAt: child.updatedAt.toISOString(),
  };
}
export type ChildJson = ReturnType<typeof toChildJson>;

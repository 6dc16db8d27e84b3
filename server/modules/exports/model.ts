// Per-child date shift for de-identified exports: one random number of days per child, drawn the
// first time a shifted export includes the child and stored, so every export shifts the child's
// dates the same way (as REDCap's "shift all dates by a value between 0 and 364 days" option).
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const exportDateShiftSchema = new Schema(
  {
    /** The child's id (hex): one shift per child, whatever the programme. */
    _id: { type: String, required: true },
    schoolId: { type: Schema.Types.ObjectId, required: true, index: true },
    /** Days subtracted from every date of the child, 0–364. */
    days: { type: Number, required: true, min: 0, max: 364 },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);

export type ExportDateShiftDoc = InferSchemaType<typeof exportDateShiftSchema>;
export const ExportDateShift = mongoose.model('ExportDateShift', exportDateShiftSchema, 'export_date_shifts');

/** REDCap's range: shift back by 0–364 days (keeps the weekday distribution roughly intact). */
export const MAX_DATE_SHIFT_DAYS = 364;

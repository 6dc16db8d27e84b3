// Per-child date shift for de-identified exports: one random number of days per child, drawn the
// first time a shifted export includes the child and stored, so every export shifts the child's
// dates the same way (like REDCap's "shift all dates by a value between 0 and 364 days" option,
// but never by 0).
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const exportDateShiftSchema = new Schema(
  {
    /** The child's id (hex): one shift per child, whatever the programme. */
    _id: { type: String, required: true },
    schoolId: { type: Schema.Types.ObjectId, required: true, index: true },
    /** Days subtracted from every date of the child, 1–364: never 0, which would leave the real dates. */
    days: { type: Number, required: true, min: 1, max: 364 },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);

export type ExportDateShiftDoc = InferSchemaType<typeof exportDateShiftSchema>;
export const ExportDateShift = mongoose.model('ExportDateShift', exportDateShiftSchema, 'export_date_shifts');

/** REDCap's range, less a shift of 0 (which would export the real dates): back by 1–364 days. */
export const MAX_DATE_SHIFT_DAYS = 364;

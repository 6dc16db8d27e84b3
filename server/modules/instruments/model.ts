// Instrument definitions as data. A definition that already has answers is never changed in
// place: an edit creates the next version, and scores keep the version they were computed with.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const instrumentSchema = new Schema(
  {
    code: { type: String, required: true },
    /** 1, 2, 3 … per code. */
    version: { type: Number, required: true },
    /** The full definition, validated by shared/schemas/instrument.ts before it is stored. */
    definition: { type: Schema.Types.Mixed, required: true },
    builtIn: { type: Boolean, default: false },
    /** Retired versions stay for existing scores but are not offered for new entry. */
    retired: { type: Boolean, default: false },
    createdBy: { type: Schema.Types.ObjectId, default: null },
    /** Edit counter of this version (optimistic concurrency for in-place edits before any answers exist). */
    revision: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false },
);
instrumentSchema.index({ code: 1, version: 1 }, { unique: true });

export type InstrumentDoc = InferSchemaType<typeof instrumentSchema> & { _id: mongoose.Types.ObjectId };
export const Instrument = mongoose.model('Instrument', instrumentSchema, 'instruments');

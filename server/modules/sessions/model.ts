// One occurrence of a group's schedule. The attendance register is embedded (bounded by group
// size), so saving a register is one atomic write (shared/DESIGN.md §2 "Atomic by design").
import { lastRequestIdPath } from '../../lib/idempotency.ts';
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { addToSessionLists } from './session-lists.ts';

const activityBlockSchema = new Schema(
  {
    activityCode: { type: String, required: true },
    minutes: { type: Number, required: true },
    rpe: { type: Number },
    avgHeartRate: { type: Number },
    mets: { type: Number },
  },
  { _id: false },
);
const registerEntrySchema = new Schema(
  {
    childId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, enum: ['present', 'absent', 'excused', 'late'], required: true },
    minutes: { type: Number },
    rpe: { type: Number },
  },
  { _id: false },
);

const sessionSchema = new Schema(
  {
    programmeId: { type: Schema.Types.ObjectId, required: true },
    groupId: { type: Schema.Types.ObjectId, required: true },
    schoolId: { type: Schema.Types.ObjectId, required: true },
    /** School-local yyyy-MM-dd and HH:mm. */
    date: { type: String, required: true },
    startTime: { type: String, required: true },
    plannedMinutes: { type: Number, required: true },
    status: { type: String, enum: ['scheduled', 'held', 'cancelled'], required: true, default: 'scheduled' },
    /** pattern = generated from the weekly pattern; extra = added by hand. */
    origin: { type: String, enum: ['pattern', 'extra'], required: true, default: 'pattern' },
    /** Date this occurrence was originally planned for, when rescheduled. */
    rescheduledFrom: { type: String, default: null },
    cancelReason: { type: String, default: null },
    actualStart: { type: String, default: null },
    activityBlocks: { type: [activityBlockSchema], default: [] },
    register: { type: [registerEntrySchema], default: [] },
    notes: { type: String, default: '' },
    loggedBy: { type: Schema.Types.ObjectId, default: null },
    loggedAt: { type: Date, default: null },
    version: { type: Number, default: 0 },
    /** Idempotency: the request that last saved the log (server/lib/idempotency.ts). */
    lastRequestId: lastRequestIdPath,
  },
  { timestamps: true, versionKey: false },
);
sessionSchema.index({ groupId: 1, date: 1 });
sessionSchema.index({ programmeId: 1, date: 1 });
sessionSchema.index({ schoolId: 1, date: 1 });

// Every new session is added to its group's session list before it is inserted, whoever creates
// it (schedule, extra session, fixtures): the dose recompute reads sessions through those lists.
sessionSchema.pre('save', async function () {
  if (this.isNew) await addToSessionLists([{ _id: this._id, programmeId: this.programmeId, groupId: this.groupId }]);
});
sessionSchema.pre('insertMany', async function (docs: unknown) {
  const list = (Array.isArray(docs) ? docs : [docs]) as { _id?: mongoose.Types.ObjectId; programmeId: mongoose.Types.ObjectId; groupId: mongoose.Types.ObjectId }[];
  // The ids are chosen here, so the lists can name the sessions before they exist.
  for (const doc of list) doc._id ??= new mongoose.Types.ObjectId();
  await addToSessionLists(list as { _id: mongoose.Types.ObjectId; programmeId: mongoose.Types.ObjectId; groupId: mongoose.Types.ObjectId }[]);
});

export type SessionDoc = InferSchemaType<typeof sessionSchema> & { _id: mongoose.Types.ObjectId };
export const Session = mongoose.model('Session', sessionSchema, 'sessions');

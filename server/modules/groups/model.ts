// A sports group of one school: coaches (PE-teacher users) and members with join/leave dates.
// Members are embedded (bounded by group size) so a group and its membership change atomically.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { forgetOnWrite } from '../../db/sole-writer-cache.ts';

const memberSchema = new Schema(
  {
    childId: { type: Schema.Types.ObjectId, required: true },
    /** yyyy-MM-dd, school-local. */
    joinedOn: { type: String, required: true },
    /** Last day as a member (inclusive); null while still a member. */
    leftOn: { type: String, default: null },
  },
  { _id: false },
);

const groupSchema = new Schema(
  {
    schoolId: { type: Schema.Types.ObjectId, required: true, index: true },
    name: { type: String, required: true, maxlength: 80 },
    /** Main activity, a code of the shared activity catalog. */
    activityCode: { type: String, required: true },
    coachIds: { type: [Schema.Types.ObjectId], default: [] },
    members: { type: [memberSchema], default: [] },
    version: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false },
);

export type GroupDoc = InferSchemaType<typeof groupSchema> & { _id: mongoose.Types.ObjectId };
// Register saves read the group through the sole-writer cache; writes forget it.
forgetOnWrite(groupSchema, 'Group');
export const Group = mongoose.model('Group', groupSchema, 'groups');

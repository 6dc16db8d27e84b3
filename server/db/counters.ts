// Monotonic counters for human-readable codes (school S001, child codes later). Codes are never
// reused: the counter only goes up, even when a record is deleted.
import mongoose, { Schema } from 'mongoose';

const counterSchema = new Schema({ _id: { type: String, required: true }, seq: { type: Number, required: true } }, { versionKey: false });
const Counter = mongoose.model('Counter', counterSchema, 'counters');

export async function nextSequence(name: string): Promise<number> {
  const doc = await Counter.findOneAndUpdate({ _id: name }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }).lean();
  return doc!.seq;
}

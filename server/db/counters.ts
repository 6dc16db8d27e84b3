// Monotonic counters for human-readable codes (school S001, child codes later). Codes are never
// reused: the counter only goes up, even when a record is deleted.
import mongoose, { Schema } from 'mongoose';
import { serialisedWrite } from './compare-and-set.ts';

const counterSchema = new Schema({ _id: { type: String, required: true }, seq: { type: Number, required: true } }, { versionKey: false });
const Counter = mongoose.model('Counter', counterSchema, 'counters');

export function nextSequence(name: string): Promise<number> {
  return reserveSequence(name, 1);
}

/**
 * Reserves `n` consecutive numbers (e.g. for a roster import) and returns the first. One `$inc`
 * upsert: atomic on MongoDB; on FerretDB, whose `$inc` is read-modify-write, the increments of one
 * counter are serialised in-process (compare-and-set.ts) so no number is handed out twice.
 */
export async function reserveSequence(name: string, n: number): Promise<number> {
  const doc = await serialisedWrite(Counter, name, () =>
    Counter.findOneAndUpdate({ _id: name }, { $inc: { seq: n } }, { upsert: true, returnDocument: 'after' }).lean(),
  );
  return doc!.seq - n + 1;
}

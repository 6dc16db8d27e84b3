// The ids of each group's sessions in a programme, kept on one small document per (programme,
// group), so the dose recompute after a register save reads that group's sessions by `_id`
// instead of querying the sessions collection (on the embedded FerretDB any other filter reads
// and decodes every session of the county: issue 11).
//
// The list is a superset of the group's sessions: an id is added *before* its session is
// inserted (model hooks in ./model.ts, so every way of creating a session keeps it) and removed
// only after its session is deleted. A crash in between leaves an id without a session, which a
// reader simply does not find; it never leaves a session out. Lists written before this module
// existed, or by hooks before a full list was built, are not `complete`: the recompute then lists
// the group's sessions once with a query and merges them in (see dose/service.ts).
import mongoose, { Schema } from 'mongoose';
import { serialisedWrite } from '../../db/compare-and-set.ts';
import { findByIds } from '../../db/find-by-ids.ts';
import { isDuplicateKeyError } from '../../lib/errors.ts';

type Id = mongoose.Types.ObjectId | string;

const sessionListSchema = new Schema(
  {
    _id: { type: String, required: true }, // `${programmeId}:${groupId}`
    programmeId: { type: Schema.Types.ObjectId, required: true },
    groupId: { type: Schema.Types.ObjectId, required: true },
    sessionIds: { type: [Schema.Types.ObjectId], default: [] },
    /** True once the list was merged with a query of all the group's sessions (see above). */
    complete: { type: Boolean, default: false },
  },
  { versionKey: false },
);
export const SessionList = mongoose.model('SessionList', sessionListSchema, 'session_lists');

interface SessionListDoc {
  _id: string;
  programmeId: mongoose.Types.ObjectId;
  groupId: mongoose.Types.ObjectId;
  sessionIds: mongoose.Types.ObjectId[];
  complete?: boolean;
}

const listId = (programmeId: Id, groupId: Id) => `${programmeId}:${groupId}`;

/** One upsert of a list, serialised per list ($addToSet and $pullAll are read-modify-write on FerretDB). */
async function updateList(programmeId: Id, groupId: Id, update: mongoose.UpdateQuery<unknown>): Promise<void> {
  const id = listId(programmeId, groupId);
  const write = () =>
    serialisedWrite(SessionList, id, () =>
      SessionList.updateOne({ _id: id }, { ...update, $setOnInsert: { programmeId: new mongoose.Types.ObjectId(String(programmeId)), groupId: new mongoose.Types.ObjectId(String(groupId)) } }, { upsert: true }),
    );
  try {
    await write();
  } catch (err) {
    // Two first writes of one list upserting at once: one inserts, the other retries as an update.
    if (!isDuplicateKeyError(err)) throw err;
    await write();
  }
}

/** Adds sessions about to be inserted to their groups' lists (called before the insert). */
export async function addToSessionLists(sessions: readonly { _id: Id; programmeId: Id; groupId: Id }[]): Promise<void> {
  const byList = new Map<string, { programmeId: Id; groupId: Id; ids: mongoose.Types.ObjectId[] }>();
  for (const s of sessions) {
    const key = listId(s.programmeId, s.groupId);
    const entry = byList.get(key) ?? { programmeId: s.programmeId, groupId: s.groupId, ids: [] };
    entry.ids.push(new mongoose.Types.ObjectId(String(s._id)));
    byList.set(key, entry);
  }
  for (const { programmeId, groupId, ids } of byList.values()) {
    await updateList(programmeId, groupId, { $addToSet: { sessionIds: { $each: ids } } });
  }
}

/** Removes deleted sessions from a group's list (called after the delete). */
export async function removeFromSessionList(programmeId: Id, groupId: Id, sessionIds: readonly Id[]): Promise<void> {
  if (sessionIds.length === 0) return;
  await updateList(programmeId, groupId, { $pullAll: { sessionIds: sessionIds.map((s) => new mongoose.Types.ObjectId(String(s))) } });
}

/** Merges the ids a full query found into a list and marks it complete. */
export async function completeSessionList(programmeId: Id, groupId: Id, sessionIds: readonly Id[]): Promise<void> {
  await updateList(programmeId, groupId, {
    $addToSet: { sessionIds: { $each: sessionIds.map((s) => new mongoose.Types.ObjectId(String(s))) } },
    $set: { complete: true },
  });
}

/** The lists of these groups of a programme: session ids per group id, and which groups have no complete list. */
export async function readSessionLists(programmeId: Id, groupIds: readonly Id[]): Promise<{ ids: Map<string, string[]>; incomplete: string[] }> {
  const docs = await findByIds<SessionListDoc>(SessionList, groupIds.map((g) => listId(programmeId, g)));
  const byGroup = new Map(docs.map((d) => [String(d.groupId), d]));
  const ids = new Map<string, string[]>();
  const incomplete: string[] = [];
  for (const g of groupIds.map(String)) {
    const doc = byGroup.get(g);
    ids.set(g, (doc?.sessionIds ?? []).map(String));
    if (!doc?.complete) incomplete.push(g);
  }
  return { ids, incomplete };
}

/** A deleted programme's lists go with it. */
export async function deleteSessionListsOf(programmeId: Id): Promise<void> {
  await SessionList.deleteMany({ programmeId: new mongoose.Types.ObjectId(String(programmeId)) });
}

// Append-only audit trail: the service only ever inserts; no route updates or deletes an entry.
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const auditEventSchema = new Schema(
  {
    at: { type: Date, required: true, default: () => new Date() },
    actorId: { type: Schema.Types.ObjectId, default: null },
    actorUsername: { type: String, default: null },
    action: { type: String, required: true },
    entity: { type: String, required: true },
    entityId: { type: String, default: null },
    schoolId: { type: Schema.Types.ObjectId, default: null },
    before: { type: Schema.Types.Mixed, default: null },
    after: { type: Schema.Types.Mixed, default: null },
    /** Free-form context (export filters, row counts). */
    meta: { type: Schema.Types.Mixed, default: null },
  },
  { versionKey: false, minimize: false },
);
auditEventSchema.index({ at: -1 });
auditEventSchema.index({ entity: 1, at: -1 });
auditEventSchema.index({ actorId: 1, at: -1 });

export type AuditEventDoc = InferSchemaType<typeof auditEventSchema> & { _id: mongoose.Types.ObjectId };
export const AuditEvent = mongoose.model('AuditEvent', auditEventSchema, 'audit_events');

import { Model } from 'objection';

export type OutboxStatus = 'pending' | 'done' | 'failed';

/** An event written with the change that caused it, delivered later by the relay (at least once). */
export class OutboxEvent extends Model {
  static tableName = 'outbox';
  static jsonAttributes = ['payload'];

  id!: string;
  topic!: string;
  payload!: object;
  status!: OutboxStatus;
  attempts!: number;
  availableAt!: Date;
  /** The lease of the claim in progress: nobody else takes the row until then. */
  lockedUntil!: Date | null;
  lastError!: string | null;
  createdAt!: Date;
  processedAt!: Date | null;
}

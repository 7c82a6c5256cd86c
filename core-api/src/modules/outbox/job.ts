import type { Knex } from 'knex';
import type { Scheduler } from '../../platform/jobs/scheduler.ts';
import { LEASE_SECONDS, purgeOutbox, relayOutbox, type OutboxHandlers } from './relay.ts';

export const RELAY_OUTBOX = 'outbox.relay';
export const PURGE_OUTBOX = 'outbox.purge';

/** One relay run stops claiming after this long, so it always ends well within its Agenda lock. */
const RUN_MS = 10_000;

/**
 * Drains the outbox every few seconds, in whichever process runs jobs (several may: rows are
 * claimed with SKIP LOCKED under short leases). The Agenda lock is short too (Agenda's default is
 * 10 minutes): a killed process holds up the relay for seconds, not minutes; the row leases, not
 * this lock, are what keep two workers off one row at a time.
 */
export async function scheduleOutboxRelay(scheduler: Scheduler, db: Knex, handlers: OutboxHandlers, retentionDays: number): Promise<void> {
  scheduler.define(
    RELAY_OUTBOX,
    async () => {
      const started = Date.now();
      while ((await relayOutbox(db, handlers)) > 0 && Date.now() - started < RUN_MS) {
        // keep going while there is a backlog
      }
    },
    { lockLifetime: RUN_MS + LEASE_SECONDS * 1000 },
  );
  scheduler.define(PURGE_OUTBOX, async () => {
    await purgeOutbox(db, retentionDays);
  });
  await scheduler.every('5 seconds', RELAY_OUTBOX);
  await scheduler.every('1 hour', PURGE_OUTBOX);
}

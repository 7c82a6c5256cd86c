import type { Knex } from 'knex';
import type { Scheduler } from '../../platform/jobs/scheduler.ts';
import { relayOutbox, type OutboxHandlers } from './relay.ts';

export const RELAY_OUTBOX = 'outbox.relay';

/** Drains the outbox every few seconds, in whichever process runs jobs (several may: rows are claimed with SKIP LOCKED). */
export async function scheduleOutboxRelay(scheduler: Scheduler, db: Knex, handlers: OutboxHandlers): Promise<void> {
  scheduler.agenda.define(RELAY_OUTBOX, async () => {
    while ((await relayOutbox(db, handlers)) > 0) {
      // keep going while there is a backlog
    }
  });
  await scheduler.agenda.every('5 seconds', RELAY_OUTBOX);
}

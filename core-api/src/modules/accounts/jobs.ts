import type { Knex } from 'knex';
import type { Scheduler } from '../../platform/jobs/scheduler.ts';

export const PURGE_EXPIRED_SESSIONS = 'accounts.purge-expired-sessions';

/** Expired refresh tokens and rate-limit counters are useless after a while; keep the tables small. */
export async function purgeExpiredSessions(db: Knex, now = new Date()): Promise<{ tokens: number; counters: number }> {
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  const tokens = await db('refresh_tokens').where('expiresAt', '<', weekAgo).del();
  const counters = await db('rate_limits').where('expire', '<', now.getTime()).del();
  return { tokens, counters };
}

export async function scheduleAccountJobs(scheduler: Scheduler, db: Knex): Promise<void> {
  scheduler.define(PURGE_EXPIRED_SESSIONS, async () => {
    await purgeExpiredSessions(db);
  });
  await scheduler.every('1 day', PURGE_EXPIRED_SESSIONS);
}

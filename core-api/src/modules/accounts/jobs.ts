import type { Knex } from 'knex';
import type { Scheduler } from '../../platform/jobs/scheduler.ts';
import { RefreshToken } from './models/refresh-token.ts';

export const PURGE_EXPIRED_SESSIONS = 'accounts.purge-expired-sessions';

/** Expired refresh tokens and rate-limit counters are useless after a while; keep the tables small. */
export async function purgeExpiredSessions(db: Knex, now = new Date()): Promise<{ tokens: number; counters: number }> {
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  const tokens = await RefreshToken.query(db).where('expiresAt', '<', weekAgo).delete();
  // rate-limiter-flexible's own table (limits.ts): no model of ours
  const counters = await db('rate_limits').where('expire', '<', now.getTime()).del();
  return { tokens, counters };
}

export async function scheduleAccountJobs(scheduler: Scheduler, db: Knex): Promise<void> {
  scheduler.define(PURGE_EXPIRED_SESSIONS, async () => {
    await purgeExpiredSessions(db);
  });
  await scheduler.every('1 day', PURGE_EXPIRED_SESSIONS);
}

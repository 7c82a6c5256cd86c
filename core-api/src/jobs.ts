import type { Platform } from './platform/index.ts';
import { scheduleAccountJobs } from './modules/accounts/jobs.ts';
import { notificationHandlers } from './modules/notifications/handlers.ts';
import { queueDueWeeklyReports } from './modules/notifications/weekly-report.ts';
import { scheduleOutboxRelay } from './modules/outbox/job.ts';
import type { OutboxHandlers } from './modules/outbox/relay.ts';

export const WEEKLY_REPORTS = 'reports.weekly';

/** What each outbox topic does once its change has committed. */
export function outboxHandlers(platform: Platform): OutboxHandlers {
  return {
    'catalog.product-changed': async (row) => platform.search.sync([row.payload.productId]),
    ...notificationHandlers(platform.db, platform.mailer),
  };
}

/** Every recurring job of every module, defined on the scheduler (API process and worker alike). */
export async function defineJobs(platform: Platform): Promise<void> {
  await scheduleAccountJobs(platform.scheduler, platform.db);
  await scheduleOutboxRelay(platform.scheduler, platform.db, outboxHandlers(platform));
  // hourly, so that each store gets its report at Monday 09:00 in its own time zone
  platform.scheduler.agenda.define(WEEKLY_REPORTS, async () => {
    await queueDueWeeklyReports(platform.db);
  });
  await platform.scheduler.agenda.every('0 * * * *', WEEKLY_REPORTS);
}

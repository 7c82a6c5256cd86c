import type { Platform } from './platform/index.ts';
import { scheduleAccountJobs } from './modules/accounts/jobs.ts';
import { scheduleOutboxRelay } from './modules/outbox/job.ts';
import type { OutboxHandlers } from './modules/outbox/relay.ts';

/** What each outbox topic does once its change has committed. */
export function outboxHandlers(platform: Platform): OutboxHandlers {
  return {
    'catalog.product-changed': async (row) => platform.search.sync([row.payload.productId]),
  };
}

/** Every recurring job of every module, defined on the scheduler (API process and worker alike). */
export async function defineJobs(platform: Platform): Promise<void> {
  await scheduleAccountJobs(platform.scheduler, platform.db);
  await scheduleOutboxRelay(platform.scheduler, platform.db, outboxHandlers(platform));
}

import type { Platform } from './platform/index.ts';
import { scheduleAccountJobs } from './modules/accounts/jobs.ts';

/** Every recurring job of every module, defined on the scheduler (API process and worker alike). */
export async function defineJobs(platform: Platform): Promise<void> {
  await scheduleAccountJobs(platform.scheduler, platform.db);
}

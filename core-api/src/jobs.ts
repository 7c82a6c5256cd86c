import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { CheckoutFlow } from './flows/checkout.flow.ts';
import { AddressesService } from './modules/addresses/service.ts';
import { CartService } from './modules/cart/service.ts';
import { RegionsService } from './modules/regions/service.ts';
import { SimulatedCourier } from './modules/shipping/calculator.ts';
import { schedulePaymentJobs } from './modules/payments/jobs.ts';
import { PaymentsService } from './modules/payments/service.ts';
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
export async function defineJobs(platform: Platform, config: Config, log: Logger): Promise<void> {
  const { db, payments: gateway } = platform;
  await scheduleAccountJobs(platform.scheduler, db);
  const cart = new CartService(db, { publicUrl: config.publicUrl, s3PublicUrl: config.s3PublicUrl });
  const regions = new RegionsService(db);
  const shipping = { addresses: new AddressesService(db, regions), regions, calculator: new SimulatedCourier() };
  await schedulePaymentJobs(
    platform.scheduler,
    new PaymentsService(db, gateway, log),
    new CheckoutFlow(db, gateway, cart, shipping, { paymentTtlSeconds: config.payments.ttlSeconds, log }),
  );
  await scheduleOutboxRelay(platform.scheduler, db, outboxHandlers(platform), config.outbox.retentionDays);
  // hourly, so that each store gets its report at Monday 09:00 in its own time zone
  platform.scheduler.agenda.define(WEEKLY_REPORTS, async () => {
    await queueDueWeeklyReports(platform.db);
  });
  await platform.scheduler.agenda.every('0 * * * *', WEEKLY_REPORTS);
}

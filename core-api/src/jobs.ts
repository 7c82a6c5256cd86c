import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { CheckoutFlow } from './flows/checkout.flow.ts';
import { schedulePaymentJobs } from './flows/checkout.jobs.ts';
import { AddressesService } from './modules/addresses/index.ts';
import { CartService } from './modules/cart/index.ts';
import { scheduleSoldCountFold, syncSearchIndex } from './modules/catalog/index.ts';
import { RegionsService } from './modules/regions/index.ts';
import { SimulatedCourier } from './modules/shipping/index.ts';
import { PaymentsService } from './modules/payments/index.ts';
import type { Platform } from './platform/index.ts';
import { scheduleAccountJobs } from './modules/accounts/index.ts';
import { notificationHandlers, queueDueWeeklyReports } from './modules/notifications/index.ts';
import { scheduleOutboxRelay, type OutboxHandlers } from './modules/outbox/index.ts';

export const WEEKLY_REPORTS = 'reports.weekly';

/** What each outbox topic does once its change has committed. */
export function outboxHandlers(platform: Platform): OutboxHandlers {
  return {
    'catalog.product-changed': async (row) => syncSearchIndex(platform.db, platform.search, [row.payload.productId]),
    ...notificationHandlers(platform.db, platform.mailer),
  };
}

/** Every recurring job of every module, defined on the scheduler (API process and worker alike). */
export async function defineJobs(platform: Platform, config: Config, log: Logger): Promise<void> {
  const { db, payments: gateway } = platform;
  await scheduleAccountJobs(platform.scheduler, db);
  await scheduleSoldCountFold(platform.scheduler, db);
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
  platform.scheduler.define(WEEKLY_REPORTS, async () => {
    await queueDueWeeklyReports(platform.db);
  });
  await platform.scheduler.every('0 * * * *', WEEKLY_REPORTS);
}

import type { Scheduler } from '../platform/jobs/scheduler.ts';
import type { PaymentsService } from '../modules/payments/index.ts';
import type { CheckoutFlow } from './checkout.flow.ts';

export const EXPIRE_PAYMENTS = 'payments.expire';
export const RECONCILE_PAYMENTS = 'payments.reconcile';

/** Unpaid virtual accounts expire; checkouts a crash left between their steps, and refunds the gateway missed, are settled. */
export async function schedulePaymentJobs(scheduler: Scheduler, payments: PaymentsService, checkout: CheckoutFlow): Promise<void> {
  scheduler.define(EXPIRE_PAYMENTS, async () => {
    await payments.expireDue();
  }, { lockLifetime: 60_000 });
  scheduler.define(RECONCILE_PAYMENTS, async () => {
    await checkout.reconcile();
    await payments.sendPendingRefunds();
  }, { lockLifetime: 60_000 });
  await scheduler.every('1 minute', EXPIRE_PAYMENTS);
  await scheduler.every('1 minute', RECONCILE_PAYMENTS);
}

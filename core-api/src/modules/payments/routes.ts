import type { Handlers } from '../../http/handler.ts';
import type { PaymentsService } from './service.ts';

export function paymentHandlers(payments: PaymentsService): Handlers<'getCheckout' | 'simulatedPaymentWebhook'> {
  return {
    getCheckout: async ({ user, params }) => ({ status: 200, body: await payments.getCheckout(user(), params.id) }),
    simulatedPaymentWebhook: async ({ headers, ctx }) => {
      // the signature covers the bytes as sent, not the parsed body
      const raw = (ctx.request as { rawBody?: string }).rawBody ?? '';
      const outcome = await payments.receiveNotification(raw, headers['X-Pasar-Signature']);
      return { status: 200, body: { received: true, ...outcome } };
    },
  };
}

import type { Handlers } from '../http/handler.ts';
import type { CheckoutFlow } from './checkout.flow.ts';
import type { QuoteFlow } from './quote.flow.ts';

export function checkoutHandlers(checkout: CheckoutFlow, quotes: QuoteFlow): Handlers<'checkout' | 'quoteCheckout'> {
  return {
    checkout: async ({ user, headers, body, ctx }) => {
      const answer = await checkout.run(user(), headers['Idempotency-Key'], body, ctx.state.locale);
      return { status: answer.status, body: answer.body, headers: answer.replayed ? { 'Idempotent-Replayed': 'true' } : undefined };
    },
    quoteCheckout: async ({ user, body }) => ({ status: 200, body: await quotes.quote(user(), body) }),
  };
}

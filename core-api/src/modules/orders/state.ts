import { conflict } from '../../domain/errors.ts';

export type OrderStatus = 'pending' | 'processing' | 'shipped' | 'delivered' | 'cancelled';
export type OrderActor = 'customer' | 'seller' | 'system';

/** The one place that says which order moves exist and who may make them. */
const TRANSITIONS: Record<OrderStatus, Partial<Record<OrderStatus, OrderActor[]>>> = {
  pending: { processing: ['seller'], cancelled: ['customer', 'seller'] },
  processing: { shipped: ['seller'], cancelled: ['seller'] },
  shipped: { delivered: ['customer', 'seller'] },
  delivered: {},
  cancelled: {},
};

const LABEL: Record<OrderStatus, string> = {
  pending: 'pending',
  processing: 'being processed',
  shipped: 'shipped',
  delivered: 'delivered',
  cancelled: 'cancelled',
};

/**
 * Refuses (a conflict) a move the order process does not allow, naming why. The payment is asked too:
 * nothing is prepared before it is paid, except cash on delivery (paid when delivered).
 */
export function assertTransition(from: OrderStatus, to: OrderStatus, actor: OrderActor, payment?: { method: string; status: string }): void {
  const allowed = TRANSITIONS[from][to];
  if (!allowed) {
    throw conflict(`An order that is ${LABEL[from]} cannot become ${LABEL[to]}.`, { code: 'illegal-transition' });
  }
  if (!allowed.includes(actor)) {
    throw conflict(`A ${actor} cannot make an order that is ${LABEL[from]} ${LABEL[to]}.`, { code: 'illegal-transition' });
  }
  if (to === 'processing' && payment && payment.method !== 'cod' && payment.status !== 'paid') {
    throw conflict(`This order is not paid yet (payment ${payment.status}); it can be processed once the payment arrives.`, { code: 'unpaid-order' });
  }
}

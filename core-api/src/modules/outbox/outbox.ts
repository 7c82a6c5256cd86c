import type { Knex } from 'knex';
import { PREPARED } from '../../platform/db/prepared.ts';

/** Topics written to the outbox, with what their payload carries. */
export interface OutboxTopics {
  /** A product's searchable data changed (content, price, stock, status). */
  'catalog.product-changed': { productId: string };
  /** A variant's stock went from at or above its threshold to below it. */
  'inventory.low-stock': { variantId: string; productId: string; storeId: string; stock: number; threshold: number };
  /** A checkout succeeded: the shopper's confirmation (one for all its orders). */
  'checkout.completed': { checkoutId: string };
  /** A store received an order: the seller's notice. */
  'order.placed': { orderId: string; storeId: string };
  /** An order moved: the shopper's notice. */
  'order.status-changed': { orderId: string; from: string; to: string };
  /** A cancelled order's money was taken after all (a transfer after its virtual account expired) and goes back: the shopper's notice. */
  'order.refunded': { orderId: string };
  /** A store's weekly report is due: the 7 days before `weekStart` (a Monday, store time). */
  'report.weekly': { storeId: string; weekStart: string };
}
export type OutboxTopic = keyof OutboxTopics;

/** Events of any topics, each with its payload. */
export type OutboxEvents = Array<{ [T in OutboxTopic]: { topic: T; payload: OutboxTopics[T] } }[OutboxTopic]>;

/** Written in the caller's transaction, so the event exists exactly when the change does. */
export async function enqueue<T extends OutboxTopic>(trx: Knex, topic: T, payloads: Array<OutboxTopics[T]>): Promise<void> {
  await enqueueAll(trx, payloads.map((payload) => ({ topic, payload })) as OutboxEvents);
}

/** Events of several topics in one insert, in the caller's transaction. */
export async function enqueueAll(trx: Knex, events: OutboxEvents): Promise<void> {
  if (events.length === 0) return;
  await trx.raw(enqueueFrom('select x.topic, x.payload from json_to_recordset(cast(? as json)) as x (topic text, payload jsonb)'), [JSON.stringify(events)]).options(PREPARED('outbox-enqueue'));
}

/**
 * The outbox insert as SQL to put inside another module's set-based statement (the body of a
 * data-modifying CTE: `e as (${enqueueFrom(select)})`), so its events cost no round trip of their
 * own. `select` gives `topic` and `payload` (jsonb) columns; each payload must have its topic's
 * shape in OutboxTopics.
 */
export function enqueueFrom(select: string): string {
  return `insert into outbox (topic, payload) select e.topic, e.payload from (${select}) e`;
}

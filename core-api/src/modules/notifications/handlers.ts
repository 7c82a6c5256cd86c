import type { Knex } from 'knex';
import type { Mailer } from '../../platform/mail/mailer.ts';
import { loadOrders } from '../orders/index.ts';
import { paymentJson, type PaymentRow } from '../payments/index.ts';
import type { OutboxHandlers, OutboxRow } from '../outbox/index.ts';
import { formatDay, formatRupiah as rupiah } from '@pasar/openapi/format';
import { MESSAGES, type Locale } from './messages.ts';
import { renderEmail, type EmailName } from './render.ts';
import { weeklyReport } from './weekly-report.ts';

const optionText = (options: Record<string, string>) => Object.values(options).join(', ');
const withOptionText = <T extends { options: Record<string, string> }>(items: T[]) => items.map((i) => ({ ...i, optionText: optionText(i.options) }));

/** An order as the email shows it: a reason Pasar gave itself in the reader's language. */
function inWords<T extends { cancelReason?: string | null }>(order: T, locale: Locale): T {
  const reason = order.cancelReason ? MESSAGES[locale].systemReasons[order.cancelReason] : undefined;
  return reason ? { ...order, cancelReason: reason } : order;
}

/** What an event names must still exist when it is delivered; if not, the delivery fails (and is retried, then given up). */
function found<T>(row: T | undefined, what: string): T {
  if (row === undefined) throw new Error(`${what} no longer exists`);
  return row;
}

interface Recipient {
  email: string;
  name: string;
  locale: Locale;
}

async function recipient(db: Knex, userId: string): Promise<Recipient> {
  return found(await db('users').where({ id: userId }).first<Recipient | undefined>('email', 'name', 'locale'), `user ${userId}`);
}

async function storeOwner(db: Knex, storeId: string): Promise<Recipient & { storeName: string }> {
  const owner = await db('stores as s')
    .join('users as u', 'u.id', 's.ownerId')
    .where('s.id', storeId)
    .first<(Recipient & { storeName: string }) | undefined>('u.email', 'u.name', 'u.locale', 's.name as storeName');
  return found(owner, `store ${storeId}`);
}

/**
 * The emails the outbox events stand for. The event id is the message's Message-ID, so a resend
 * after a crash between sending and marking the event done carries the same id (mail systems and
 * the inbox can recognise it). That resend is the one duplicate left possible: SMTP has no
 * transaction to share with Postgres.
 */
export function notificationHandlers(db: Knex, mailer: Mailer): OutboxHandlers {
  const send = async (row: OutboxRow, to: string, name: EmailName, locale: Locale, subject: string, data: Record<string, unknown>) => {
    const email = renderEmail(name, locale, subject, data);
    await mailer.send({ to, ...email, messageId: `<${row.id}@outbox.pasar>` });
  };

  return {
    'checkout.completed': async (row) => {
      const checkout = found(
        await db('checkouts').where({ id: row.payload.checkoutId }).first<{ id: string; userId: string; total: number } | undefined>('id', 'userId', 'total'),
        `checkout ${row.payload.checkoutId}`,
      );
      const payment = await db('payments').where({ checkoutId: checkout.id }).first<Omit<PaymentRow, 'locale'> | undefined>();
      const user = await recipient(db, checkout.userId);
      const ids = await db('orders').where({ checkoutId: checkout.id }).orderBy('id').pluck<string[]>('id');
      const orders = (await loadOrders(db, ids)).map((o) => ({ ...o, items: withOptionText(o.items) }));
      await send(row, user.email, 'order-confirmation', user.locale, `${MESSAGES[user.locale].confirmationSubject}: ${rupiah(checkout.total)}`, {
        name: user.name,
        orders,
        total: checkout.total,
        paymentInstructions: payment ? paymentJson({ ...payment, locale: user.locale }).instructions : '',
      });
    },

    'order.placed': async (row) => {
      const order = found((await loadOrders(db, [row.payload.orderId]))[0], `order ${row.payload.orderId}`);
      const owner = await storeOwner(db, row.payload.storeId);
      await send(row, owner.email, 'new-order', owner.locale, `${MESSAGES[owner.locale].newOrder} ${order.number} · ${rupiah(order.total)}`, {
        order: { ...order, items: withOptionText(order.items) },
      });
    },

    'order.status-changed': async (row) => {
      const to = row.payload.to as keyof (typeof MESSAGES)['id']['status'];
      const order = found((await loadOrders(db, [row.payload.orderId]))[0], `order ${row.payload.orderId}`);
      const { userId } = found(await db('orders').where({ id: order.id }).first<{ userId: string } | undefined>('userId'), `order ${order.id}`);
      const user = await recipient(db, userId);
      const words = MESSAGES[user.locale].status[to];
      // a cancelled paid order says its money goes back (the refund is recorded with the cancellation)
      const refund = to === 'cancelled' ? await db('refunds').where({ orderId: order.id }).first<{ amount: number } | undefined>('amount') : undefined;
      await send(row, user.email, 'order-status', user.locale, `${words.headline} · ${order.number}`, {
        name: user.name,
        order: inWords(order, user.locale),
        headline: words.headline,
        message: refund ? `${words.message} ${MESSAGES[user.locale].refund(rupiah(Number(refund.amount)))}` : words.message,
      });
    },

    'order.refunded': async (row) => {
      const order = found((await loadOrders(db, [row.payload.orderId]))[0], `order ${row.payload.orderId}`);
      const { userId } = found(await db('orders').where({ id: order.id }).first<{ userId: string } | undefined>('userId'), `order ${order.id}`);
      const user = await recipient(db, userId);
      const words = MESSAGES[user.locale].lateRefund;
      const refunded = await db('refunds').where({ orderId: order.id }).sum<{ n: number | null }>({ n: 'amount' }).first();
      await send(row, user.email, 'order-status', user.locale, `${words.headline} · ${order.number}`, {
        name: user.name,
        order: inWords(order, user.locale),
        headline: words.headline,
        message: words.message(rupiah(Number(refunded?.n ?? order.total))),
      });
    },

    'inventory.low-stock': async (row) => {
      const variant = found(
        await db('productVariants as v')
          .join('products as p', 'p.id', 'v.productId')
          .where('v.id', row.payload.variantId)
          .first<{ title: string; sku: string; options: Record<string, string> } | undefined>('p.title', 'v.sku', 'v.options'),
        `variant ${row.payload.variantId}`,
      );
      const owner = await storeOwner(db, row.payload.storeId);
      await send(row, owner.email, 'low-stock', owner.locale, `${MESSAGES[owner.locale].lowStockSubject}: ${variant.title}`, {
        title: variant.title,
        sku: variant.sku,
        optionText: optionText(variant.options),
        stock: row.payload.stock,
        threshold: row.payload.threshold,
      });
    },

    'report.weekly': async (row) => {
      const owner = await storeOwner(db, row.payload.storeId);
      const report = await weeklyReport(db, row.payload.storeId, row.payload.weekStart);
      await send(row, owner.email, 'weekly-report', owner.locale, `${MESSAGES[owner.locale].weeklySubject}: ${rupiah(report.current.revenue)}`, {
        ...report,
        storeName: owner.storeName,
        period: `${formatDay(report.from, owner.locale)} – ${formatDay(report.to, owner.locale)}`,
        lowStock: withOptionText(report.lowStock),
      });
    },
  };
}

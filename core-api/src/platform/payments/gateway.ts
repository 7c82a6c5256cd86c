import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { formatRupiah } from '@pasar/openapi/format';

export type PaymentMethod = 'ovo' | 'dana' | 'bca_va' | 'cod';

export interface Charge {
  /** The checkout id: a second charge with the same key answers the first one's outcome. */
  key: string;
  method: PaymentMethod;
  amount: number;
  /** The payer's phone, for e-wallets. */
  phone: string;
  /** How long a virtual account stays open. */
  ttlSeconds: number;
}

export interface ChargeResult {
  status: 'paid' | 'pending' | 'declined' | 'expired';
  reference: string;
  virtualAccount?: string;
  expiresAt?: string;
}

/** A notification from the provider, after its signature was verified. */
export interface GatewayEvent {
  id: string;
  type: 'payment.paid';
  reference?: string;
  virtualAccount?: string;
  amount?: number;
}

/** The payer's side said no: nothing was charged. */
export class PaymentDeclined extends Error {}
/** A notification whose signature is missing, wrong or too old. */
export class InvalidSignature extends Error {}

/** A payment gateway as Pasar uses it; Midtrans or Xendit would sit behind the same calls. */
export interface PaymentGateway {
  /** Idempotent by `key`; throws PaymentDeclined when the payer's side refuses. */
  charge(charge: Charge): Promise<ChargeResult>;
  /** What the provider knows of the charge made with `key` (null: it never saw one). */
  find(key: string): Promise<ChargeResult | null>;
  /** Idempotent by `refundId`. */
  refund(refund: { key: string; refundId: string; amount: number }): Promise<{ reference: string }>;
  /** Checks a notification's signature over its raw body and reads it. */
  verifyWebhook(rawBody: string, signature: string | undefined): Promise<GatewayEvent>;
}

/** How notifications are signed: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export function signWebhook(secret: string, rawBody: string, at = Math.floor(Date.now() / 1000)): string {
  return `t=${at},v1=${createHmac('sha256', secret).update(`${at}.${rawBody}`).digest('hex')}`;
}

const TOLERANCE_SECONDS = 300;

export function verifySignature(secret: string, rawBody: string, header: string | undefined, now = Date.now()): void {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const at = Number(parts.t);
  if (!Number.isInteger(at) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) throw new InvalidSignature('The signature header is missing or malformed.');
  if (Math.abs(now / 1000 - at) > TOLERANCE_SECONDS) throw new InvalidSignature('The signature is more than 5 minutes old.');
  const expected = createHmac('sha256', secret).update(`${at}.${rawBody}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(parts.v1, 'hex'))) throw new InvalidSignature('The signature does not match.');
}

const digits = (seed: string, n: number) =>
  [...createHash('sha256').update(seed).digest()].map((b) => String(b % 10)).join('').slice(0, n);

/** The simulated provider's record of a charge (sim_gateway_charges). */
interface SimCharge {
  idempotencyKey: string;
  reference: string;
  method: PaymentMethod;
  amount: number;
  status: ChargeResult['status'];
  virtualAccount: string | null;
  expiresAt: Date | null;
  refunded: number;
}

/**
 * The embedded stand-in, behaving like Midtrans or Xendit: OVO and DANA pay at once (a phone ending
 * in 0402 declines); a BCA virtual account stays pending until the provider's signed notification
 * says it was paid (`npm run payments -- pay <VA>` plays the bank); cash on delivery waits for the
 * courier. Its own records live in sim_gateway_* tables, as a provider keeps its own books.
 */
export class SimulatedGateway implements PaymentGateway {
  private readonly db: Knex;
  private readonly secret: string;

  constructor(db: Knex, webhookSecret: string) {
    this.db = db;
    this.secret = webhookSecret;
  }

  private static result(row: SimCharge): ChargeResult {
    return {
      status: row.status,
      reference: row.reference,
      ...(row.virtualAccount ? { virtualAccount: row.virtualAccount } : {}),
      ...(row.expiresAt ? { expiresAt: new Date(row.expiresAt).toISOString() } : {}),
    };
  }

  async charge({ key, method, amount, phone, ttlSeconds }: Charge): Promise<ChargeResult> {
    const declined = (method === 'ovo' || method === 'dana') && phone.endsWith('0402');
    const row: Omit<SimCharge, 'refunded'> = {
      idempotencyKey: key,
      reference: `SIM-${method.toUpperCase()}-${digits(key, 12)}`,
      method,
      amount,
      status: declined ? 'declined' : method === 'bca_va' || method === 'cod' ? 'pending' : 'paid',
      virtualAccount: method === 'bca_va' ? `39358${digits(key, 11)}` : null,
      expiresAt: method === 'bca_va' ? new Date(Date.now() + ttlSeconds * 1000) : null,
    };
    // the first charge with this key is the one kept (the no-op update makes the statement return it)
    const [stored] = await this.db<SimCharge>('simGatewayCharges').insert(row).onConflict('idempotencyKey').merge(['idempotencyKey']).returning<SimCharge[]>('*');
    if (stored.status === 'declined') throw new PaymentDeclined(`${method.toUpperCase()} declined the payment of ${formatRupiah(amount)}.`);
    return SimulatedGateway.result(stored);
  }

  async find(key: string): Promise<ChargeResult | null> {
    const row = await this.db<SimCharge>('simGatewayCharges').where({ idempotencyKey: key }).first();
    return row ? SimulatedGateway.result(row) : null;
  }

  async refund({ key, refundId, amount }: { key: string; refundId: string; amount: number }): Promise<{ reference: string }> {
    return this.db.transaction(async (trx) => {
      const charge = await trx<SimCharge>('simGatewayCharges').where({ idempotencyKey: key }).forUpdate().first();
      if (!charge) throw new Error(`no charge ${key} to refund`);
      const done = await trx<{ id: string; chargeKey: string; amount: number; reference: string }>('simGatewayRefunds').where({ id: refundId }).first();
      if (done) return { reference: done.reference };
      if (Number(charge.refunded) + amount > Number(charge.amount)) throw new Error(`refund of ${amount} exceeds what is left of ${key}`);
      const reference = `SIM-RF-${digits(refundId, 12)}`;
      await trx('simGatewayRefunds').insert({ id: refundId, chargeKey: key, amount, reference });
      await trx('simGatewayCharges').where({ idempotencyKey: key }).update({ refunded: trx.raw('refunded + ?', [amount]) });
      return { reference };
    });
  }

  async verifyWebhook(rawBody: string, signature: string | undefined): Promise<GatewayEvent> {
    verifySignature(this.secret, rawBody, signature);
    const body = JSON.parse(rawBody) as { id: string; type: 'payment.paid'; data: { reference?: string; virtualAccount?: string; amount?: number } };
    // a notification is the provider's word that the money arrived: its own books agree
    if (body.data.virtualAccount) await this.db('simGatewayCharges').where({ virtualAccount: body.data.virtualAccount, status: 'pending' }).update({ status: 'paid' });
    return { id: body.id, type: body.type, ...body.data };
  }
}

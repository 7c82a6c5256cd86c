import { createHash } from 'node:crypto';

export type PaymentMethod = 'ovo' | 'dana' | 'bca_va' | 'cod';

export interface Charge {
  checkoutId: string;
  method: PaymentMethod;
  amount: number;
  /** The payer's phone, for e-wallets. */
  phone: string;
  /** The language of the instructions (Bahasa Indonesia unless 'en'). */
  locale?: 'id' | 'en';
}

export interface ChargeResult {
  status: 'paid' | 'pending';
  reference: string;
  virtualAccount?: string;
  expiresAt?: string;
  instructions: string;
}

/** The payer's side said no: nothing may be bought. */
export class PaymentDeclined extends Error {}

/** A payment gateway as checkout uses it; a real one (Midtrans, Xendit) would sit behind the same call. */
export interface PaymentGateway {
  charge(charge: Charge): Promise<ChargeResult>;
}

const digits = (seed: string, n: number) =>
  [...createHash('sha256').update(seed).digest()].map((b) => String(b % 10)).join('').slice(0, n);

/**
 * Deterministic stand-in: e-wallets pay at once, except a phone ending in 0402, which declines;
 * BCA virtual accounts and cash on delivery wait for the money.
 */
export class SimulatedGateway implements PaymentGateway {
  async charge({ checkoutId, method, amount, phone, locale = 'id' }: Charge): Promise<ChargeResult> {
    const reference = `SIM-${method.toUpperCase()}-${digits(checkoutId, 12)}`;
    const rupiah = `Rp ${amount.toLocaleString('id-ID')}`;
    const en = locale === 'en';
    switch (method) {
      case 'ovo':
      case 'dana':
        if (phone.endsWith('0402')) throw new PaymentDeclined(`${method.toUpperCase()} declined the payment of ${rupiah}.`);
        return { status: 'paid', reference, instructions: en ? `Your payment of ${rupiah} with ${method.toUpperCase()} went through.` : `Pembayaran ${rupiah} lewat ${method.toUpperCase()} berhasil.` };
      case 'bca_va': {
        const virtualAccount = `39358${digits(checkoutId, 11)}`;
        return {
          status: 'pending',
          reference,
          virtualAccount,
          expiresAt: new Date(Date.now() + 24 * 3600 * 1000).toISOString(),
          instructions: en ? `Transfer ${rupiah} to BCA Virtual Account ${virtualAccount} within 24 hours.` : `Transfer ${rupiah} ke BCA Virtual Account ${virtualAccount} dalam 24 jam.`,
        };
      }
      case 'cod':
        return { status: 'pending', reference, instructions: en ? `Have ${rupiah} ready to pay the courier in cash.` : `Siapkan ${rupiah} untuk dibayar tunai kepada kurir.` };
    }
  }
}

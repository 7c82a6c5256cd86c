import { formatRupiah } from '@pasar/openapi/format';
import type { components } from '@pasar/openapi/schema';

type PaymentStatus = components['schemas']['PaymentStatus'];
type PaymentMethod = components['schemas']['PaymentMethod'];
export type Locale = 'id' | 'en';

/** The first of Accept-Language's languages (or a negotiated locale) that we speak, by quality; undefined when none is. */
export function spokenLocale(acceptLanguage: string | undefined): Locale | undefined {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith('q='))?.slice(2) ?? 1);
      return { lang: tag.trim().toLowerCase().split('-')[0], q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((l) => l.q > 0 && (l.lang === 'id' || l.lang === 'en'))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.length ? (ranked[0].lang as Locale) : undefined;
}

/**
 * The shopper's language for what a payment says: the first of Accept-Language's languages that we
 * speak (by quality), otherwise the account's own, otherwise Bahasa Indonesia.
 */
export function paymentLocale(acceptLanguage: string | undefined, accountLocale?: string | null): Locale {
  return spokenLocale(acceptLanguage) ?? (accountLocale === 'en' ? 'en' : 'id');
}

const METHOD: Record<PaymentMethod, string> = { ovo: 'OVO', dana: 'DANA', bca_va: 'BCA Virtual Account', cod: 'COD' };

/** What the shopper does next (or what happened), in their language. */
export function paymentInstructions(
  locale: Locale,
  p: { method: PaymentMethod; status: PaymentStatus; amount: number; refundedAmount: number; virtualAccount?: string | null; expiresAt?: Date | null },
): string {
  const when = p.expiresAt
    ? new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'id-ID', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Jakarta' }).format(p.expiresAt) + ' WIB'
    : '';
  const en = locale === 'en';
  switch (p.status) {
    case 'pending':
      if (p.method === 'bca_va') {
        return en
          ? `Transfer ${formatRupiah(p.amount)} to BCA Virtual Account ${p.virtualAccount} before ${when}. Unpaid by then, the order is cancelled.`
          : `Transfer ${formatRupiah(p.amount)} ke BCA Virtual Account ${p.virtualAccount} sebelum ${when}. Jika belum dibayar, pesanan dibatalkan.`;
      }
      if (p.method === 'cod') return en ? `Have ${formatRupiah(p.amount)} ready to pay the courier in cash.` : `Siapkan ${formatRupiah(p.amount)} untuk dibayar tunai kepada kurir.`;
      return en ? `Waiting for ${METHOD[p.method]} to confirm the payment of ${formatRupiah(p.amount)}.` : `Menunggu ${METHOD[p.method]} mengonfirmasi pembayaran ${formatRupiah(p.amount)}.`;
    case 'paid':
      return en ? `Payment of ${formatRupiah(p.amount)} via ${METHOD[p.method]} received.` : `Pembayaran ${formatRupiah(p.amount)} lewat ${METHOD[p.method]} sudah diterima.`;
    case 'expired':
      return en ? 'The time to pay ran out; the order was cancelled.' : 'Batas waktu pembayaran habis; pesanan dibatalkan.';
    case 'failed':
      return en ? `${METHOD[p.method]} declined the payment; nothing was charged.` : `${METHOD[p.method]} menolak pembayaran; tidak ada dana yang ditarik.`;
    case 'refunded':
    case 'partially_refunded':
      return en
        ? `${formatRupiah(p.refundedAmount)} of ${formatRupiah(p.amount)} was refunded to your ${METHOD[p.method]}.`
        : `${formatRupiah(p.refundedAmount)} dari ${formatRupiah(p.amount)} sudah dikembalikan ke ${METHOD[p.method]} kamu.`;
  }
}

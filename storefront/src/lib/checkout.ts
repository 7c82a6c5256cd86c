import type { PasarClient } from '@pasar/openapi';
import type { CheckoutValues, QuoteView } from '../components/CheckoutForm';
import { fieldErrors, problemText, type components, type Problem } from './api';

type Quote = components['schemas']['Quote'];
const PAYMENT_METHODS = ['ovo', 'dana', 'bca_va', 'cod'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

const text = (v: unknown, max = 200) => (typeof v === 'string' ? v.trim().slice(0, max) : '');

/** The checkout form's values from a posted form or the island's JSON, cleaned. */
export function readValues(source: FormData | Record<string, unknown>): CheckoutValues {
  const get = (k: string) => (source instanceof FormData ? source.get(k) : source[k]);
  const code = (v: unknown, pattern: RegExp) => (typeof v === 'string' && pattern.test(v) ? v : '');
  const method = text(get('paymentMethod'));
  return {
    addressId: code(get('addressId'), /^[0-9a-f-]{36}$/),
    recipient: text(get('recipient'), 100),
    phone: text(get('phone'), 20),
    street: text(get('street')),
    provinceCode: code(get('provinceCode'), /^[0-9]{2}$/),
    cityCode: code(get('cityCode'), /^[0-9]{2}\.[0-9]{2}$/),
    postalCode: text(get('postalCode'), 10),
    saveAddress: get('saveAddress') === '1' || get('saveAddress') === true,
    paymentMethod: (PAYMENT_METHODS as readonly string[]).includes(method) ? method : 'bca_va',
  };
}

/** The address part of a quote or checkout request: a saved address, or the one typed in. */
export function addressOf(v: CheckoutValues) {
  if (v.addressId) return { addressId: v.addressId };
  return {
    shippingAddress: {
      recipient: v.recipient,
      phone: v.phone,
      street: v.street,
      ...(v.cityCode ? { cityCode: v.cityCode } : {}),
      ...(v.provinceCode ? { provinceCode: v.provinceCode } : {}),
      postalCode: v.postalCode,
    },
  };
}

export const isComplete = (v: CheckoutValues) =>
  Boolean(v.addressId || (v.recipient && v.phone && v.street && v.cityCode && v.postalCode));

export function quoteView(q: Quote): QuoteView {
  return {
    stores: q.stores.map((s) => ({ store: { id: s.store.id, name: s.store.name }, subtotal: s.subtotal, shippingCost: s.shippingCost, total: s.total, delivery: s.delivery })),
    subtotal: q.subtotal,
    shippingTotal: q.shippingTotal,
    expectedTotal: q.expectedTotal,
  };
}

/** The API's quote for these values: the summary, or the problem in words with its fields. */
export async function quote(api: PasarClient, v: CheckoutValues, fallback: string): Promise<{ quote?: QuoteView; message?: string; fields?: Record<string, string>; status: number }> {
  const { data, error, response } = await api.POST('/checkout/quote', { body: addressOf(v) });
  if (data) return { quote: quoteView(data), status: 200 };
  return { message: problemText(error as Problem, fallback), fields: fieldErrors(error as Problem), status: response.status };
}

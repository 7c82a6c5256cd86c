import { formatRupiah } from '@pasar/openapi/format';
import { useEffect, useRef, useState } from 'preact/hooks';

interface Region {
  code: string;
  name: string;
}
interface SavedAddress {
  id: string;
  label: string;
  recipient: string;
  phone: string;
  street: string;
  city: string;
  province: string;
  postalCode: string;
}
export interface QuoteView {
  stores: Array<{ store: { id: string; name: string }; subtotal: number; shippingCost: number; total: number; delivery: { minDays: number; maxDays: number } }>;
  subtotal: number;
  shippingTotal: number;
  expectedTotal: number;
}
export interface CheckoutValues {
  addressId: string;
  recipient: string;
  phone: string;
  street: string;
  provinceCode: string;
  cityCode: string;
  postalCode: string;
  saveAddress: boolean;
  paymentMethod: string;
}
interface Props {
  idempotencyKey: string;
  addresses: SavedAddress[];
  provinces: Region[];
  /** The cities of the chosen province, when the server knows it (a form sent back with a problem). */
  cities: Region[];
  values: CheckoutValues;
  errors: Record<string, string>;
  quote: QuoteView | null;
  cart: Array<{ storeId: string; storeName: string; items: Array<{ title: string; quantity: number; lineTotal: number }>; subtotal: number }>;
  methods: Array<[string, string]>;
  t: Record<
    | 'shippingAddress' | 'savedAddresses' | 'newAddress' | 'recipient' | 'phone' | 'street' | 'province' | 'city' | 'postalCode' | 'choose'
    | 'saveAddress' | 'paymentMethod' | 'summary' | 'subtotal' | 'shipping' | 'shippingPending' | 'total' | 'placeOrder' | 'refresh' | 'days' | 'quoting',
    string
  >;
}

const complete = (v: CheckoutValues) =>
  v.addressId !== '' ||
  (v.recipient.trim().length >= 2 && /^(\+62|62|0)8[0-9]{7,12}$/.test(v.phone.trim()) && v.street.trim().length >= 3 && v.cityCode !== '' && /^[0-9]{5}$/.test(v.postalCode.trim()));

/**
 * The checkout form: a saved address or a new one (province and city from the API's regions), the
 * payment method, and the summary priced by the API's quote as soon as the address is complete. The
 * quote's total goes with the order, so the order charges exactly what the shopper saw.
 */
export default function CheckoutForm(props: Props) {
  const { t } = props;
  const [values, setValues] = useState<CheckoutValues>(props.values);
  const [cities, setCities] = useState<Region[]>(props.cities);
  const [quote, setQuote] = useState<QuoteView | null>(props.quote);
  const [quoteError, setQuoteError] = useState('');
  const [quoting, setQuoting] = useState(false);
  const first = useRef(true);
  const set = (patch: Partial<CheckoutValues>) => setValues((v) => ({ ...v, ...patch }));

  // the cities of the chosen province
  useEffect(() => {
    if (first.current || !values.provinceCode) return;
    let live = true;
    fetch(`/api/wilayah/${values.provinceCode}`)
      .then((r) => (r.ok ? r.json() : { children: [] }))
      .then((region: { children: Region[] }) => live && setCities(region.children))
      .catch(() => live && setCities([]));
    return () => void (live = false);
  }, [values.provinceCode]);

  // the quote, once the address is complete
  const addressKey = JSON.stringify([values.addressId, values.recipient, values.phone, values.street, values.cityCode, values.provinceCode, values.postalCode]);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      if (props.quote || !complete(values)) return;
    }
    if (!complete(values)) {
      setQuote(null);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setQuoting(true);
      fetch('/api/ongkir', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(values), signal: controller.signal })
        .then(async (r) => {
          const body = await r.json();
          if (r.ok) {
            setQuote(body);
            setQuoteError('');
          } else {
            setQuote(null);
            setQuoteError(body.message ?? '');
          }
        })
        .catch(() => undefined)
        .finally(() => setQuoting(false));
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [addressKey]);

  const field = (name: keyof CheckoutValues, label: string, attrs: Record<string, unknown> = {}) => (
    <div class="field">
      <label for={name}>{label}</label>
      <input
        id={name}
        name={name}
        value={values[name] as string}
        onInput={(e) => set({ [name]: (e.target as HTMLInputElement).value })}
        aria-invalid={props.errors[name] ? 'true' : undefined}
        aria-describedby={props.errors[name] ? `${name}-err` : undefined}
        required={values.addressId === ''}
        {...attrs}
      />
      {props.errors[name] && <span class="err" id={`${name}-err`}>{props.errors[name]}</span>}
    </div>
  );
  const newAddress = values.addressId === '';

  return (
    <form method="post" class="checkout">
      <input type="hidden" name="idempotencyKey" value={props.idempotencyKey} />
      {quote && <input type="hidden" name="expectedTotal" value={quote.expectedTotal} />}
      <div class="left">
        <fieldset class="panel">
          <legend>{t.shippingAddress}</legend>
          {props.addresses.length > 0 && (
            <div class="saved" role="radiogroup" aria-label={t.savedAddresses}>
              {props.addresses.map((a) => (
                <label class="choice" key={a.id}>
                  <input type="radio" name="addressId" value={a.id} checked={values.addressId === a.id} onChange={() => set({ addressId: a.id })} />
                  <span>
                    <strong>{a.label || a.recipient}</strong> — {a.recipient}, {a.street}, {a.city}, {a.province} {a.postalCode}
                  </span>
                </label>
              ))}
              <label class="choice">
                <input type="radio" name="addressId" value="" checked={newAddress} onChange={() => set({ addressId: '' })} />
                <span>{t.newAddress}</span>
              </label>
            </div>
          )}
          {newAddress && (
            <div class="new">
              {field('recipient', t.recipient, { autocomplete: 'name', minLength: 2, maxLength: 100 })}
              {field('phone', t.phone, { type: 'tel', autocomplete: 'tel', pattern: '(\\+62|62|0)8[0-9]{7,12}', placeholder: '08…' })}
              {field('street', t.street, { autocomplete: 'street-address', minLength: 3, maxLength: 200 })}
              <div class="row">
                <div class="field">
                  <label for="provinceCode">{t.province}</label>
                  <select id="provinceCode" name="provinceCode" required value={values.provinceCode} onChange={(e) => set({ provinceCode: (e.target as HTMLSelectElement).value, cityCode: '' })}>
                    <option value="">{t.choose}</option>
                    {props.provinces.map((p) => <option value={p.code} key={p.code}>{p.name}</option>)}
                  </select>
                  {props.errors.provinceCode && <span class="err">{props.errors.provinceCode}</span>}
                </div>
                <div class="field">
                  <label for="cityCode">{t.city}</label>
                  <select id="cityCode" name="cityCode" required value={values.cityCode} onChange={(e) => set({ cityCode: (e.target as HTMLSelectElement).value })} aria-invalid={props.errors.cityCode ? 'true' : undefined}>
                    <option value="">{t.choose}</option>
                    {cities.map((c) => <option value={c.code} key={c.code}>{c.name}</option>)}
                  </select>
                  {props.errors.cityCode && <span class="err">{props.errors.cityCode}</span>}
                </div>
              </div>
              {field('postalCode', t.postalCode, { autocomplete: 'postal-code', inputMode: 'numeric', pattern: '[0-9]{5}', maxLength: 5 })}
              <label class="choice">
                <input type="checkbox" name="saveAddress" value="1" checked={values.saveAddress} onChange={(e) => set({ saveAddress: (e.target as HTMLInputElement).checked })} />
                <span>{t.saveAddress}</span>
              </label>
            </div>
          )}
          <noscript>
            <button class="btn secondary" type="submit" name="action" value="refresh" formnovalidate>{t.refresh}</button>
          </noscript>
        </fieldset>
        <fieldset class="panel">
          <legend>{t.paymentMethod}</legend>
          {props.methods.map(([code, label]) => (
            <label class="choice" key={code}>
              <input type="radio" name="paymentMethod" value={code} checked={values.paymentMethod === code} onChange={() => set({ paymentMethod: code })} required />
              <span>{label}</span>
            </label>
          ))}
        </fieldset>
      </div>
      <section class="panel summary" aria-labelledby="summary">
        <h2 id="summary">{t.summary}</h2>
        {props.cart.map((g) => {
          const priced = quote?.stores.find((s) => s.store.id === g.storeId);
          return (
            <div class="store" key={g.storeId}>
              <h3>{g.storeName}</h3>
              <ul>
                {g.items.map((i) => (
                  <li key={i.title}>{i.quantity} × {i.title} <span>{formatRupiah(i.lineTotal)}</span></li>
                ))}
              </ul>
              <p>{t.subtotal} <span>{formatRupiah(g.subtotal)}</span></p>
              {priced && (
                <p>
                  {t.shipping} ({priced.delivery.minDays}–{priced.delivery.maxDays} {t.days}) <span>{formatRupiah(priced.shippingCost)}</span>
                </p>
              )}
            </div>
          );
        })}
        <p class="muted" role="status">{quoting ? t.quoting : quoteError || (quote ? '' : t.shippingPending)}</p>
        {quote && (
          <p class="grand">
            {t.total} <strong class="price">{formatRupiah(quote.expectedTotal)}</strong>
          </p>
        )}
        <button class="btn" type="submit" name="action" value="place">{t.placeOrder}</button>
      </section>
    </form>
  );
}

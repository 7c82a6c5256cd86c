import { useState } from 'preact/hooks';

interface Variant {
  id: string;
  options: Record<string, string>;
  price: number;
  stock: number;
  inStock: boolean;
}
interface Props {
  productId: string;
  options: Array<{ name: string; values: string[] }>;
  variants: Variant[];
  initial: Record<string, string>;
  back: string;
  labels: { quantity: string; addToCart: string; stockPrefix: string; soldOut: string; unavailable: string };
  prices: Record<string, string>;
}

/** The variant picker: a value that cannot be bought with the other choices is disabled. */
export default function BuyBox({ productId, options, variants, initial, back, labels, prices }: Props) {
  const [chosen, setChosen] = useState<Record<string, string>>(initial);
  const matches = (v: Variant, wanted: Record<string, string>) => Object.entries(wanted).every(([k, val]) => v.options[k] === val);
  const variant = variants.find((v) => matches(v, chosen));
  const buyable = (name: string, value: string) => variants.some((v) => v.inStock && matches(v, { ...chosen, [name]: value }));
  const max = variant?.inStock ? Math.min(variant.stock, 999) : 1;
  return (
    <form method="post" action="/keranjang" class="buybox">
      <input type="hidden" name="action" value="add" />
      <input type="hidden" name="productId" value={productId} />
      <input type="hidden" name="back" value={back} />
      {options.map((option) => (
        <fieldset class="option" key={option.name}>
          <legend>{option.name}</legend>
          <div class="values">
            {option.values.map((value) => {
              const disabled = !buyable(option.name, value);
              return (
                <label class={disabled ? 'value off' : 'value'} key={value}>
                  <input
                    type="radio"
                    name={`opt.${option.name}`}
                    value={value}
                    checked={chosen[option.name] === value}
                    disabled={disabled}
                    onChange={() => setChosen({ ...chosen, [option.name]: value })}
                  />
                  <span>{value}</span>
                </label>
              );
            })}
          </div>
        </fieldset>
      ))}
      <p class="chosen">
        {variant ? <span class="price">{prices[variant.id]}</span> : null}{' '}
        <span aria-live="polite">{variant?.inStock ? `${labels.stockPrefix} ${variant.stock}` : variant ? labels.soldOut : labels.unavailable}</span>
      </p>
      <div class="field qty">
        <label for="quantity">{labels.quantity}</label>
        <input id="quantity" name="quantity" type="number" min={1} max={max} value={1} required />
      </div>
      <button class="btn" type="submit" disabled={!variant?.inStock}>
        {labels.addToCart}
      </button>
    </form>
  );
}

import type { Place } from '../regions/index.ts';

export interface Parcel {
  from: Place;
  to: Place;
  /** Units in the parcel (one parcel per store). */
  units: number;
}

export interface ShippingRate {
  cost: number;
  delivery: { minDays: number; maxDays: number };
}

/**
 * Prices one store's parcel to the buyer. Checkout and `POST /checkout/quote` use the same one, so
 * a quote is what checkout charges. A real courier (JNE, SiCepat…) implements this too.
 */
export interface ShippingCalculator {
  rate(parcel: Parcel): Promise<ShippingRate>;
}

/**
 * The first digit of a province code is its island group in the Kemendagri coding: 1 Sumatera,
 * 2 Riau islands, 3 Jawa, 5 Bali and Nusa Tenggara, 6 Kalimantan, 7 Sulawesi, 8 Maluku, 9 Papua.
 */
const islandGroup = (provinceCode: string) => provinceCode[0];

/**
 * The simulated courier (documented in the API): Rp 10.000 within one city, Rp 18.000 within one
 * province or island group, Rp 35.000 elsewhere; Rp 1.000 for each unit after the first.
 */
export class SimulatedCourier implements ShippingCalculator {
  async rate({ from, to, units }: Parcel): Promise<ShippingRate> {
    const extra = Math.max(0, units - 1) * 1_000;
    if (from.cityCode === to.cityCode) return { cost: 10_000 + extra, delivery: { minDays: 1, maxDays: 2 } };
    if (from.provinceCode === to.provinceCode || islandGroup(from.provinceCode) === islandGroup(to.provinceCode)) {
      return { cost: 18_000 + extra, delivery: { minDays: 2, maxDays: 4 } };
    }
    return { cost: 35_000 + extra, delivery: { minDays: 4, maxDays: 8 } };
  }
}

import { conflict } from '../../domain/errors.ts';
import type { Place, RegionsService } from '../regions/index.ts';
import type { ShippingCalculator, ShippingRate } from './calculator.ts';

export interface StoreParcel {
  storeId: string;
  storeName: string;
  storeCityCode: string | null;
  units: number;
}

export interface PricedParcel extends ShippingRate {
  from: Place;
}

/** One parcel per store to the buyer's city, each priced by the calculator. */
export async function priceParcels(calculator: ShippingCalculator, regions: RegionsService, to: Place, parcels: StoreParcel[]): Promise<Map<string, PricedParcel>> {
  const priced = new Map<string, PricedParcel>();
  for (const parcel of parcels) {
    if (!parcel.storeCityCode) {
      throw conflict(`${parcel.storeName} has no city on record, so it cannot ship yet; remove its items or try later.`, { errors: [{ message: `store ${parcel.storeId} has no city` }] });
    }
    const from = await regions.place(parcel.storeCityCode, '');
    priced.set(parcel.storeId, { from, ...(await calculator.rate({ from, to, units: parcel.units })) });
  }
  return priced;
}

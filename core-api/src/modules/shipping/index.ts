// The shipping module's public surface: what other code imports. Nothing else of it is reached from outside.
export { SimulatedCourier, type ShippingCalculator, type ShippingRate } from './calculator.ts';
export { priceParcels, type PricedParcel, type StoreParcel } from './parcels.ts';

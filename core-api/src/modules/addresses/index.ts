// The addresses module's public surface: what other code imports. Nothing else of it is reached from outside.
export { addressHandlers } from './routes.ts';
export { AddressesService, type ShippingAddress } from './service.ts';

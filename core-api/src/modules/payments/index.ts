// The payments module's public surface: what other code imports. Nothing else of it is reached from outside.
export { paymentLocale, spokenLocale, type Locale } from './instructions.ts';
export { paymentHandlers } from './routes.ts';
export {
  PaymentsService, checkoutResult, createPayment, lockPayment, paymentHooks, paymentJson, recordCharge, recordFailure, type PaymentRow, type PaymentStatus,
} from './service.ts';

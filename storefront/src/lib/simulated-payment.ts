import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { apiBaseUrl } from './api';

/**
 * The simulated gateway's webhook secret, when this storefront runs beside the API in embedded mode
 * (the API keeps it in DATA_DIR/payment-webhook-secret) or PAYMENT_WEBHOOK_SECRET is set. Never in
 * production: there a real gateway pays.
 */
function webhookSecret(): string | undefined {
  if (process.env.NODE_ENV === 'production') return undefined;
  if (process.env.PAYMENT_WEBHOOK_SECRET) return process.env.PAYMENT_WEBHOOK_SECRET;
  const dataDir = path.resolve(process.env.DATA_DIR || path.join(process.env.INIT_CWD ?? process.cwd(), '.data'));
  try {
    return readFileSync(path.join(dataDir, 'payment-webhook-secret'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export const canSimulatePayment = () => webhookSecret() !== undefined;

/** Pays a virtual account the way the simulated gateway would: a signed `payment.paid` notification. */
export async function simulatePayment(virtualAccount: string, amount: number): Promise<boolean> {
  const secret = webhookSecret();
  if (!secret) return false;
  const body = JSON.stringify({ id: `demo-${randomUUID()}`, type: 'payment.paid', data: { virtualAccount, amount } });
  const t = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  const res = await fetch(`${apiBaseUrl()}/payments/webhooks/simulated`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-pasar-signature': `t=${t},v1=${signature}` },
    body,
    signal: AbortSignal.timeout(8000),
  });
  return res.ok;
}

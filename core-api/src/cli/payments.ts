import { randomUUID } from 'node:crypto';
import { ConfigError, loadConfig } from '../config.ts';
import { signWebhook } from '../platform/payments/gateway.ts';

/**
 * `npm run payments -- pay <VA number>` plays the bank in embedded mode: it sends the simulated
 * gateway's signed notification that the virtual account was paid to the API running on this
 * machine (http://127.0.0.1:$PORT), signed with the secret of the same DATA_DIR.
 */
async function main(): Promise<void> {
  const [command, virtualAccount] = process.argv.slice(2);
  if (command !== 'pay' || !virtualAccount || !/^[0-9]{8,20}$/.test(virtualAccount)) {
    process.stderr.write('Usage: npm run payments -- pay <virtual account number>\n');
    process.exit(2);
  }
  const config = loadConfig();
  const body = JSON.stringify({ id: `evt_${randomUUID()}`, type: 'payment.paid', data: { virtualAccount } });
  const url = `http://127.0.0.1:${config.port}/payments/webhooks/simulated`;
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-pasar-signature': signWebhook(config.payments.webhookSecret, body) }, body });
  } catch {
    throw new Error(`no API answers at ${url}: is Pasar running (npm start), with the same PORT?`);
  }
  const answer = (await response.json()) as { changed?: boolean; status?: string; detail?: string };
  if (!response.ok) throw new Error(`${response.status}: ${answer.detail ?? 'refused'}`);
  process.stdout.write(answer.changed ? `Paid: virtual account ${virtualAccount} is now ${answer.status}.\n` : `Nothing changed: the payment is ${answer.status}.\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `Configuration error: ${err.message}\n` : `Payment failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

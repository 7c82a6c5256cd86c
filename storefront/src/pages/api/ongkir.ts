import type { APIRoute } from 'astro';
import { quote, readValues } from '../../lib/checkout';

/** Shipping and totals for the checkout form, as the shopper (POST: behind the Origin check). */
export const POST: APIRoute = async ({ request, locals }) => {
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
  if (!locals.signedIn) return json({ message: locals.t.loginNeeded }, 401);
  const body = await request.json().catch(() => null);
  if (!body || typeof body !== 'object') return json({ message: locals.t.tryAgain }, 400);
  const answer = await quote(locals.api, readValues(body as Record<string, unknown>), locals.t.tryAgain);
  return answer.quote ? json(answer.quote) : json({ message: answer.message, fields: answer.fields }, answer.status >= 500 ? 502 : answer.status);
};

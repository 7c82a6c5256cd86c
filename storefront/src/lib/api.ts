import { createPasarClient, type PasarClient } from '@pasar/openapi';
import { cached } from './cache';
import type { Lang } from './i18n';

export type { components } from '@pasar/openapi';

// Read at request time on the server (not import.meta.env, which Vite would inline at build time),
// so one built image serves any API address.
export const apiBaseUrl = () => process.env.PASAR_API_URL ?? 'http://localhost:3000';

// A page waits for the API at most this long, then renders its "try again" message instead of hanging.
const timeoutMs = 8000;

export interface Caller {
  accessToken?: string;
  /** The shopper's own address, forwarded so the API's per-client limits apply to them, not to us. */
  clientAddress?: string;
  /** The shopper's browser, forwarded so the API counts each visitor (behind one address, as a carrier's NAT puts many) apart. */
  userAgent?: string;
  lang: Lang;
  /** Called when the API refuses the access token (revoked or expired early): the session is over. */
  onUnauthorized?: () => void;
}

/** The one way pages reach the API: the typed client generated from openapi.yaml, as this shopper. */
export function apiFor(caller: Caller): PasarClient {
  const headers: Record<string, string> = { 'accept-language': caller.lang };
  if (caller.clientAddress) headers['x-forwarded-for'] = caller.clientAddress;
  if (caller.userAgent) headers['user-agent'] = caller.userAgent.slice(0, 512);
  if (caller.accessToken) headers.authorization = `Bearer ${caller.accessToken}`;
  return createPasarClient(apiBaseUrl(), {
    headers,
    fetch: async (request: Request) => {
      const response = await fetch(new Request(request, { signal: AbortSignal.timeout(timeoutMs) }));
      if (response.status === 401 && caller.accessToken && !new URL(request.url).pathname.startsWith('/auth/')) caller.onUnauthorized?.();
      return response;
    },
  });
}

/** The body of a successful answer, or null when the API is down, slow or answers with an error. */
export async function dataOrNull<T>(call: Promise<{ data?: T }>): Promise<T | null> {
  try {
    return (await call).data ?? null;
  } catch {
    return null;
  }
}

export interface Problem {
  status?: number;
  title?: string;
  detail?: string;
  errors?: Array<{ pointer?: string; parameter?: string; header?: string; message: string }>;
}

/** A problem from the API in words for the shopper (never JSON, never a stack). */
export function problemText(problem: Problem | undefined, fallback: string): string {
  if (!problem || typeof problem !== 'object') return fallback;
  return problem.detail || problem.title || fallback;
}

/** The API's per-field complaints keyed by the field's last pointer segment (`/shippingAddress/phone` -> `phone`). */
export function fieldErrors(problem: Problem | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of problem?.errors ?? []) {
    const key = (e.pointer ?? e.parameter ?? e.header ?? '').split('/').pop();
    if (key && !out[key]) out[key] = e.message;
  }
  return out;
}

/** A refused form as its page shows it: the status to answer with, the problem in words, and per field. */
export interface FormProblem {
  status: number;
  text: string;
  fields: Record<string, string>;
}

export function formProblem(problem: Problem | undefined, fallback: string): FormProblem {
  return { status: problem?.status ?? 400, text: problemText(problem, fallback), fields: fieldErrors(problem) };
}

/** Every category (cached for a minute, as the API's own Cache-Control allows). */
export function categoriesOf(api: PasarClient) {
  return cached('categories', 60, async () => (await dataOrNull(api.GET('/categories')))?.items ?? null);
}

/** The provinces (cached for an hour: they change only with a migration). */
export function provincesOf(api: PasarClient) {
  return cached('provinces', 3600, async () => (await dataOrNull(api.GET('/regions')))?.items ?? null);
}

import { createPasarClient } from '@pasar/openapi';

export type { components } from '@pasar/openapi';

// Read at request time on the server (not import.meta.env, which Vite would inline at build time),
// so one built image serves any API address.
const baseUrl = process.env.PASAR_API_URL ?? 'http://localhost:3000';

// A page waits for the API at most this long, then renders its "try again" message instead of hanging.
const timeoutMs = 5000;

/** The one way pages reach the API: the typed client generated from openapi.yaml. */
export const api = createPasarClient(baseUrl, {
  fetch: (request: Request) => fetch(new Request(request, { signal: AbortSignal.timeout(timeoutMs) })),
});

/** The body of a successful answer, or null when the API is down, slow or answers with an error. */
export async function dataOrNull<T>(call: Promise<{ data?: T }>): Promise<T | null> {
  try {
    return (await call).data ?? null;
  } catch {
    return null;
  }
}

import createClient, { type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema.d.ts';

export type { components, operations, paths } from './schema.d.ts';

/** The typed Pasar client: every path, parameter, body and response comes from openapi.yaml. */
export function createPasarClient(baseUrl: string, options: Omit<ClientOptions, 'baseUrl'> = {}) {
  return createClient<paths>({ baseUrl, ...options });
}

export type PasarClient = ReturnType<typeof createPasarClient>;

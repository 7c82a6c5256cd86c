import { createPasarClient } from '@pasar/openapi';

/** The one way pages reach the API: the typed client generated from openapi.yaml. */
export const api = createPasarClient(process.env.PASAR_API_URL ?? 'http://localhost:3000');

/** True for a Postgres unique violation (optionally of one named constraint or index). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; nativeError?: { code?: string; constraint?: string } };
  const code = e?.nativeError?.code ?? e?.code;
  const name = e?.nativeError?.constraint ?? e?.constraint;
  return code === '23505' && (constraint === undefined || name === constraint);
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);

/**
 * True when Postgres cannot be reached or is going away: refused or dropped connections, a pool
 * that cannot get one, class 08 (connection exception), shutdown and too-many-connections codes.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string; nativeError?: { code?: string } };
  if (!e || typeof e !== 'object') return false;
  const code = e.nativeError?.code ?? e.code ?? '';
  if (CONNECTION_CODES.has(code) || code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  if (e.name === 'KnexTimeoutError') return true;
  // knex puts the SQL in front of the driver's message
  return /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect/.test(e.message ?? '');
}

/** The Postgres SQLSTATE of a failed query, when it is one. */
export function sqlState(err: unknown): string | undefined {
  const e = err as { code?: string; nativeError?: { code?: string } };
  const code = e?.nativeError?.code ?? e?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** For a foreign key violation, the table the missing row was referenced in (e.g. a row removed meanwhile). */
export function missingReferenceTable(err: unknown): string | undefined {
  if (sqlState(err) !== '23503') return undefined;
  const e = err as { detail?: string; nativeError?: { detail?: string } };
  return /is not present in table "([^"]+)"/.exec(e?.nativeError?.detail ?? e?.detail ?? '')?.[1];
}

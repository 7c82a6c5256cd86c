/**
 * What the domain says when it refuses: a kind, a sentence for people, and where relevant the
 * offending inputs. It knows no HTTP: `http/errors.ts` maps each kind to a status and problem+json.
 */

/** One offending input, located the RFC 9457 way: a JSON pointer into the body, or a named parameter or header. */
export interface FieldError {
  pointer?: string;
  parameter?: string;
  header?: string;
  message: string;
}

export type DomainErrorKind =
  | 'malformed' // the input cannot be read at all (400)
  | 'unauthenticated' // the caller is not who they need to be (401)
  | 'payment-failed' // the payment was declined or failed (402)
  | 'forbidden' // known caller, not allowed (403)
  | 'not-found' // no such thing, or not the caller's (404)
  | 'conflict' // the current state refuses the change (409)
  | 'precondition-failed' // the caller's copy is stale (412)
  | 'unsupported-media' // a file of a kind we do not take (415)
  | 'invalid' // readable, but breaks a rule (422)
  | 'rate-limited' // too many attempts for now (429)
  | 'upstream-failed'; // an outside provider failed us (502)

export interface DomainErrorOptions {
  /** A stable code naming the rule (`insufficient-stock`); becomes the problem `type`. */
  code?: string;
  errors?: FieldError[];
  /** Extra members a client can act on (`shortages`, `priceChanges`, `current`). */
  details?: Record<string, unknown>;
  /** The limit that was hit (rate limits): when to try again, and the policy. */
  limit?: { retryAfterSeconds: number; points: number; windowSeconds: number };
}

export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly code?: string;
  readonly errors?: FieldError[];
  readonly details?: Record<string, unknown>;
  readonly limit?: DomainErrorOptions['limit'];

  constructor(kind: DomainErrorKind, message: string, opts: DomainErrorOptions = {}) {
    super(message);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = opts.code;
    this.errors = opts.errors;
    this.details = opts.details;
    this.limit = opts.limit;
  }
}

export const malformed = (message: string, errors?: FieldError[]) => new DomainError('malformed', message, { code: errors ? 'validation' : undefined, errors });
export const unauthenticated = (message = 'Sign in to continue.') => new DomainError('unauthenticated', message);
export const forbidden = (message: string) => new DomainError('forbidden', message);
/** `No such order.`: also what another user's resource is (it exists only for its owner). */
export const notFound = (what = 'resource') => new DomainError('not-found', `No such ${what}.`);
export const conflict = (message: string, opts: DomainErrorOptions = {}) => new DomainError('conflict', message, opts);
export const invalid = (message: string, errors?: FieldError[], details?: Record<string, unknown>) => new DomainError('invalid', message, { errors, details });

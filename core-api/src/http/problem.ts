import { TITLES as LOCALISED } from './i18n.ts';
import type { FieldError } from '../domain/errors.ts';

const TITLES = LOCALISED.en;

export type { FieldError };

/**
 * A failure the client may be told about. Anything else thrown is unexpected: logged, and
 * answered as a bare 500 without its message.
 */
export class ProblemError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;
  /** RFC 9457 extension members, sent beside the standard ones. */
  readonly extensions?: Record<string, unknown>;

  constructor(
    status: number,
    detail: string,
    opts: { type?: string; title?: string; errors?: FieldError[]; headers?: Record<string, string>; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail);
    this.status = status;
    this.type = `urn:pasar:problem:${opts.type ?? slug(TITLES[status] ?? 'error')}`;
    this.title = opts.title ?? TITLES[status] ?? 'Error';
    this.errors = opts.errors;
    this.headers = opts.headers;
    this.extensions = opts.extensions;
  }
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

export const badRequest = (detail: string, errors?: FieldError[]) =>
  new ProblemError(400, detail, { type: errors ? 'validation' : undefined, errors });
export const unauthorized = (detail = 'Sign in to continue.') => new ProblemError(401, detail);
export const forbidden = (detail: string) => new ProblemError(403, detail);

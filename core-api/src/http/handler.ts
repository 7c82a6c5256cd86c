import type { Context } from 'koa';
import type { operations } from '@pasar/openapi/schema';
import type { AuthUser } from '../domain/caller.ts';

export type OperationId = keyof operations;
type Op<K extends OperationId> = operations[K];

type JsonContent<T> = T extends { content: { 'application/json': infer B } } ? B : T extends { content: object } ? Buffer : undefined;
type Part<K extends OperationId, Where extends 'query' | 'path' | 'header'> =
  Op<K>['parameters'] extends { [P in Where]?: infer T } ? ([T] extends [never | undefined] ? Record<string, never> : NonNullable<T>) : never;

export type RequestBody<K extends OperationId> = Op<K> extends { requestBody?: infer R } ? JsonContent<NonNullable<R>> : undefined;

/** Statuses documented with a JSON body or none: what a handler answers. Problems are thrown, never returned. */
type AnswerStatus<K extends OperationId> = {
  [S in keyof Op<K>['responses']]: Op<K>['responses'][S] extends { content: { 'application/problem+json': unknown } } ? never : S;
}[keyof Op<K>['responses']];

export type Reply<K extends OperationId> = {
  [S in AnswerStatus<K>]: {
    status: S;
    body: JsonContent<Op<K>['responses'][S]>;
    headers?: Record<string, string>;
  };
}[AnswerStatus<K>];

export type { AuthUser };

export interface HandlerInput<K extends OperationId> {
  body: RequestBody<K>;
  query: Part<K, 'query'>;
  params: Part<K, 'path'>;
  headers: Part<K, 'header'>;
  /** The caller; throws 401 when the request is anonymous (the router already rejects those on secured operations). */
  user(): AuthUser;
  ctx: Context;
}

export type Handler<K extends OperationId> = (input: HandlerInput<K>) => Promise<Reply<K>>;
export type Handlers<K extends OperationId = OperationId> = { [P in K]: Handler<P> };

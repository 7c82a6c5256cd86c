import { expect } from 'chai';
import { startTestApp, validator, type TestApp } from './support/app.ts';
import { signUpCustomer, signUpSeller, type Session } from './support/fixtures.ts';

type Json = Record<string, any>;
type Where = 'body' | 'query' | 'path' | 'header';
interface Case {
  operationId: string;
  method: string;
  path: string;
  where: Where;
  /** a JSON pointer into the body, or the parameter's name */
  at: string;
  keyword: string;
  schema: Json;
  value: unknown;
}

const spec = validator.spec;
const KEYWORDS = ['pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'enum', 'format', 'minItems', 'maxItems', 'uniqueItems', 'minProperties'];

function resolve(node: Json): Json {
  while (node?.$ref) node = node.$ref.slice(2).split('/').reduce((at: Json, key: string) => at[key.replace(/~1/g, '/')], spec);
  if (node?.allOf) {
    const { allOf, ...rest } = node;
    return Object.assign({}, ...allOf.map(resolve), rest);
  }
  return node;
}

/** A value that breaks `keyword` of `schema` and, where it can, nothing else. */
function breaking(keyword: string, schema: Json): unknown {
  const fits = (v: string) => (schema.minLength === undefined || v.length >= schema.minLength) && (schema.maxLength === undefined || v.length <= schema.maxLength);
  switch (keyword) {
    case 'pattern': {
      const re = new RegExp(schema.pattern, 'u');
      return ['   ', 'bad value!', '0812-3456-7890', 'SICEPAT 123', 'Bad-Slug', '5521', '12345', '!', 'x'].find((v) => fits(v) && !re.test(v)) ?? '!';
    }
    case 'minLength': return 'a'.repeat(schema.minLength - 1);
    case 'maxLength': return 'a'.repeat(schema.maxLength + 1);
    case 'minimum': return schema.minimum - 1;
    case 'maximum': return schema.maximum + 1;
    case 'exclusiveMinimum': return schema.exclusiveMinimum;
    case 'enum': return 'not-one-of-them';
    case 'format': return { uuid: 'not-a-uuid', 'date-time': 'yesterday', date: '2026-13-45', email: 'not-an-email', uri: 'not a url' }[schema.format as string] ?? '?';
    case 'minItems': return [];
    case 'maxItems': return Array.from({ length: schema.maxItems + 1 }, (_, i) => `item-${i}`);
    case 'uniqueItems': return ['same', 'same'];
    case 'minProperties': return {};
  }
  throw new Error(keyword);
}

/** Does the message say what the rule is? */
function namesTheRule(keyword: string, schema: Json, message: string): boolean {
  switch (keyword) {
    case 'pattern':
      return schema.pattern === '\\S' ? message === 'must not be blank' : message === schema['x-pattern-message']?.en;
    case 'minLength': return schema.minLength === 1 ? message === 'must not be blank' : message.includes(`at least ${schema.minLength}`);
    case 'maxLength': return message.includes(`at most ${schema.maxLength}`);
    case 'minimum': return message.includes(`at least ${schema.minimum}`);
    case 'maximum': return message.includes(`at most ${schema.maximum}`);
    case 'exclusiveMinimum': return message.includes(`more than ${schema.exclusiveMinimum}`);
    case 'enum': return schema.enum.every((v: unknown) => message.includes(String(v)));
    case 'format': return /^must be an? /.test(message) && !message.includes('valid');
    case 'minItems': return message.includes(`at least ${schema.minItems}`);
    case 'maxItems': return message.includes(`at most ${schema.maxItems}`);
    case 'uniqueItems': return message.includes('repeat');
    case 'minProperties': return message.includes('at least one');
  }
  return false;
}

function bodyCases(node: Json, at: string, push: (at: string, keyword: string, schema: Json) => void, depth = 0): void {
  const schema = resolve(node);
  if (!schema || depth > 6) return;
  for (const keyword of KEYWORDS) if (schema[keyword] !== undefined && !(keyword === 'minLength' && schema.minLength === 0)) push(at, keyword, schema);
  for (const [name, child] of Object.entries<Json>(schema.properties ?? {})) bodyCases(child, `${at}/${name}`, push, depth + 1);
  if (schema.items) bodyCases(schema.items, `${at}/0`, push, depth + 1);
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const op of validator.operations) {
    const base = { operationId: op.operationId, method: op.method.toUpperCase(), path: op.path };
    for (const raw of op.definition.parameters ?? []) {
      const param = resolve(raw);
      const schema = resolve(param.schema);
      for (const keyword of KEYWORDS) {
        if (schema[keyword] === undefined) continue;
        out.push({ ...base, where: param.in, at: param.name, keyword, schema, value: breaking(keyword, schema) });
      }
    }
    const json = resolve(op.definition.requestBody ?? {})?.content?.['application/json']?.schema;
    if (json) bodyCases(json, '', (at, keyword, schema) => out.push({ ...base, where: 'body', at, keyword, schema, value: breaking(keyword, schema) }));
  }
  return out;
}

function setAt(pointer: string, value: unknown): unknown {
  if (pointer === '') return value;
  const keys = pointer.slice(1).split('/');
  const root: Json = {};
  let at: Json = root;
  keys.forEach((key, i) => {
    const last = i === keys.length - 1;
    const next = keys[i + 1];
    const child = last ? value : /^\d+$/.test(next) ? [] : {};
    if (Array.isArray(at)) at.push(child);
    else at[key] = child;
    at = child as Json;
  });
  return root;
}

/** Well-formed stand-ins for the other path parameters. */
const SAMPLE: Record<string, string> = { code: '34', idOrSlug: 'toko', name: `${'a'.repeat(64)}.jpg` };

describe('errors that name the rule', () => {
  let app: TestApp;
  let customer: Session;
  let seller: Session;
  const all = cases();

  before(async () => {
    app = await startTestApp();
    customer = await signUpCustomer(app);
    seller = await signUpSeller(app);
  });
  after(async () => {
    await app?.close();
  });

  it('should find every constrained field of the spec', () => {
    const keywords = new Set(all.map((c) => c.keyword));
    expect([...keywords]).to.include.members(['pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'enum', 'format', 'minItems', 'maxItems']);
    expect(all.length).to.be.above(150);
  });

  it('should answer a value breaking each rule with a 400 whose message, at its pointer, names the rule', async function () {
    this.timeout(120_000);
    const failures: string[] = [];
    for (const c of all) {
      const op = validator.operations.find((o) => o.operationId === c.operationId)!;
      const token = !op.secured ? undefined : op.roles.includes('customer') || op.roles.length === 0 ? customer.token : seller.token;
      let path = c.path.replace(/\{([^}]+)\}/g, (_, name) => (c.where === 'path' && name === c.at ? encodeURIComponent(String(c.value)) : SAMPLE[name] ?? '00000000-0000-4000-8000-000000000000'));
      const headers: Record<string, string> = {};
      if (c.where === 'query') path += `?${new URLSearchParams({ [c.at]: Array.isArray(c.value) ? c.value.join(',') : typeof c.value === 'object' ? '{}' : String(c.value) })}`;
      if (c.where === 'header') headers[c.at] = String(c.value);
      const hasBody = op.definition.requestBody?.content?.['application/json'] || op.definition.requestBody?.$ref;
      const body = c.where === 'body' ? setAt(c.at, c.value) : hasBody ? {} : undefined;
      const res = await app.request(c.method, path, { token, headers, ...(body !== undefined ? { body } : {}) });
      const located = (res.body.errors ?? []).filter((e: Json) =>
        c.where === 'body' ? e.pointer === c.at : c.where === 'header' ? String(e.header).toLowerCase() === c.at.toLowerCase() : e.parameter === c.at);
      const named = located.some((e: Json) => namesTheRule(c.keyword, c.schema, e.message));
      if (res.status !== 400 || !named) {
        failures.push(`${c.operationId} ${c.where} ${c.at} ${c.keyword} ${JSON.stringify(c.value).slice(0, 40)} -> ${res.status} ${JSON.stringify(located.map((e: Json) => e.message))}`);
      }
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
  });

  it('should say in Indonesian what is wrong when the caller reads Indonesian', async () => {
    const res = await app.request('POST', '/me/addresses', {
      token: customer.token,
      headers: { 'accept-language': 'id' },
      body: { recipient: 'Budi', phone: '0812-3456-7890', street: 'Jl. Mawar 1', cityCode: '34.71', postalCode: '5521' },
    });
    expect(res.status).to.equal(400);
    expect(res.headers.get('content-language')).to.equal('id');
    expect(res.body.title).to.equal('Permintaan tidak valid');
    expect(res.body.errors).to.deep.include.members([
      { pointer: '/phone', message: 'harus nomor HP Indonesia seperti 081234567890' },
      { pointer: '/postalCode', message: 'harus 5 digit' },
    ]);
  });

  it('should name the choice when a body needs exactly one of two fields', async () => {
    const none = await app.request('POST', '/checkout/quote', { token: customer.token, body: {} });
    expect(none.status).to.equal(400);
    expect(none.body.errors).to.deep.include({ pointer: '', message: 'must have exactly one of: shippingAddress, addressId' });
  });
});

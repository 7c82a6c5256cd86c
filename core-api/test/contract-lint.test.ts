import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { startTestApp, type TestApp } from './support/app.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const bin = (name: string) => path.join(root, 'node_modules/.bin', name);
type Json = Record<string, any>;

/** Every `$ref` under a node. */
function refsOf(node: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => refsOf(n, into));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.add(value);
      else refsOf(value, into);
    }
  }
  return into;
}

/** The components a request can reach: parameters and bodies, through every $ref. */
function requestComponents(spec: Json): Set<string> {
  const todo = [...Object.values<Json>(spec.paths).flatMap((item) => Object.values<Json>(item).flatMap((op) => [...refsOf(op.parameters ?? []), ...refsOf(op.requestBody ?? {})]))];
  const seen = new Set<string>();
  while (todo.length) {
    const ref = todo.pop()!;
    if (seen.has(ref) || !ref.startsWith('#/components/')) continue;
    seen.add(ref);
    todo.push(...refsOf(ref.slice(2).split('/').reduce((at: Json, key) => at[key], spec)));
  }
  return seen;
}

async function spectral(file: string, ruleset: string): Promise<Array<{ code: string; severity: number; path: string[]; message: string }>> {
  // spectral exits 1 when it reports anything; the JSON says what
  const { stdout } = await run(bin('spectral'), ['lint', file, '--ruleset', ruleset, '--format', 'json', '--quiet'], { maxBuffer: 64 << 20 }).catch((err) => err);
  return JSON.parse(stdout);
}

describe('the served contract (/openapi.json)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let dir: string;
  let file: string;
  let spec: Json;

  before(async () => {
    app = await startTestApp({ PUBLIC_URL: 'https://api.pasar.example' });
    dir = mkdtempSync(path.join(tmpdir(), 'pasar-contract-'));
    spec = await (await fetch(`${app.url}/openapi.json`)).json();
    file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(spec));
  });
  after(async () => {
    await app?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('should name the deployment from PUBLIC_URL and document 500, 429, If-None-Match and roles on every operation', () => {
    expect(spec.servers[0].url).to.equal('https://api.pasar.example');
    for (const [p, item] of Object.entries<Json>(spec.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        const name = `${method} ${p}`;
        expect(op.responses['500'], name).to.deep.equal({ $ref: '#/components/responses/InternalError' });
        const params = (op.parameters ?? []).map((x: Json) => x.$ref ?? x.name);
        if (op.responses['304']) expect(params, name).to.include('#/components/parameters/IfNoneMatch');
        const roles: string[] = op['x-roles'] ?? [];
        const expected = roles.length ? roles.join(', ') : op.security?.length ? 'any signed-in user' : 'anyone (no sign-in needed)';
        expect(op.description, name).to.include(`Roles: ${expected}.`);
      }
    }
    expect(spec.paths['/auth/login'].post.responses['429']).to.deep.equal({ $ref: '#/components/responses/TooManyRequests' });
    expect(Object.keys(spec.components.responses.TooManyRequests.headers)).to.include.members(['Retry-After', 'RateLimit', 'RateLimit-Policy']);
    expect(spec.paths['/seller/products/{id}'].patch.parameters.map((x: Json) => x.name ?? x.$ref)).to.include('If-Match');
  });

  it('should pass redocly lint with its recommended rules and no configuration, without errors', async () => {
    // run where no redocly.yaml can be found: the built-in recommended rules
    const { stdout } = await run(bin('redocly'), ['lint', file, '--format', 'json'], { cwd: dir, maxBuffer: 64 << 20 }).catch((err) => err);
    const report = JSON.parse(stdout.slice(stdout.indexOf('{')));
    const errors = report.problems.filter((x: Json) => x.severity === 'error').map((x: Json) => `${x.ruleId}: ${x.message}`);
    expect(errors).to.deep.equal([]);
  });

  it('should pass Spectral with the repository .spectral.yaml (spectral:oas and OWASP), each disabled rule giving its reason', async () => {
    const ruleset = path.join(root, '.spectral.yaml');
    const lines = readFileSync(ruleset, 'utf8').split('\n');
    expect(lines.some((l) => l.includes('spectral:oas'))).to.equal(true);
    expect(lines.some((l) => l.includes('@stoplight/spectral-owasp-ruleset'))).to.equal(true);
    lines.forEach((line, i) => {
      if (/:\s*off\s*$/.test(line)) expect(lines[i - 1], `a reason above ${line.trim()}`).to.match(/^\s*#\s*\S.{10,}/);
    });
    const results = await spectral(file, ruleset);
    expect(results.filter((r) => r.severity === 0).map((r) => `${r.code} ${r.path.join('.')}: ${r.message}`)).to.deep.equal([]);
  });

  it('should miss no string, array or integer limit on a request body or parameter, by the unmodified OWASP ruleset', async () => {
    const ruleset = path.join(import.meta.dirname, 'support/owasp.spectral.yaml');
    expect(readFileSync(ruleset, 'utf8').replace(/#.*$/gm, '').trim()).to.equal("extends: ['@stoplight/spectral-owasp-ruleset']");
    const reachable = [...requestComponents(spec)];
    const results = await spectral(file, ruleset);
    const limits = results.filter((r) => /owasp:api4:2023-(string|array|integer)-limit/.test(r.code));
    expect(limits.length, 'the ruleset runs and finds response-side schemas without limits').to.be.above(0);
    const onRequests = limits.filter((r) => {
      const at = `#/${r.path.join('/')}`;
      return (r.path[0] === 'paths' && (r.path.includes('parameters') || r.path.includes('requestBody'))) || reachable.some((ref) => at === ref || at.startsWith(`${ref}/`));
    });
    expect(onRequests.map((r) => `${r.code} ${r.path.join('.')}`)).to.deep.equal([]);
  });

  it('should generate a client with @hey-api/openapi-ts from the served spec, against which a purchase script type-checks', async () => {
    const script = `import { createClient } from '@hey-api/openapi-ts';
await createClient({ input: ${JSON.stringify(file)}, output: ${JSON.stringify(path.join(dir, 'pasar'))}, plugins: ['@hey-api/client-fetch'], logs: { level: 'silent' } });`;
    await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
    copyFileSync(path.join(import.meta.dirname, 'fixtures/hey-api-purchase.ts'), path.join(dir, 'purchase.ts'));
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, skipLibCheck: true, lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] },
      files: ['purchase.ts'],
    }));
    const typecheck = await run(bin('tsc'), ['-p', path.join(dir, 'tsconfig.json')]).then(() => '', (err) => String(err.stdout));
    expect(typecheck).to.equal('');
    // and the check bites: a wrong field fails it
    writeFileSync(path.join(dir, 'purchase.ts'), readFileSync(path.join(dir, 'purchase.ts'), 'utf8').replace("paymentMethod: 'cod'", "paymentMethod: 'gopay'"));
    const broken = await run(bin('tsc'), ['-p', path.join(dir, 'tsconfig.json')]).then(() => '', (err) => String(err.stdout));
    expect(broken).to.match(/gopay/);
  });
});

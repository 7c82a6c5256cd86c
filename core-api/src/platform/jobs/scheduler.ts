import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { PostgresBackend } from '@agendajs/postgres-backend';

/** Agenda, on MongoDB when MONGO_URL is set, otherwise on the Postgres that holds everything else. */
export class Scheduler {
  readonly agenda: Agenda;
  private readonly backend: MongoBackend | PostgresBackend;
  private started = false;

  constructor(opts: { mongoUrl?: string; databaseUrl: string; name: string }) {
    this.backend = opts.mongoUrl
      ? new MongoBackend({ address: opts.mongoUrl, collection: 'agendaJobs' })
      : new PostgresBackend({ connectionString: opts.databaseUrl, tableName: 'agenda_jobs' });
    this.agenda = new Agenda({ backend: this.backend, processEvery: '5 seconds', name: opts.name });
  }

  get kind(): 'mongodb' | 'postgres' {
    return this.backend instanceof MongoBackend ? 'mongodb' : 'postgres';
  }

  /** Starts processing jobs in this process. */
  async start(): Promise<void> {
    await this.agenda.start();
    this.started = true;
  }

  async check(): Promise<void> {
    await this.agenda.queryJobs({ limit: 1 });
  }

  /** Lets running jobs finish (their locks are released), then closes the job store's connections. */
  async stop(): Promise<void> {
    if (this.started) await this.agenda.stop(true);
    else await this.backend.disconnect();
    this.started = false;
  }
}

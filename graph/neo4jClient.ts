import neo4j, { type Driver, type Record as Neo4jRecord } from 'neo4j-driver';
import { CmdbError } from '../core/errors.ts';

export interface Neo4jClientOptions {
  /** `bolt://host:port` or `neo4j://host:port`. */
  uri: string;
  /** No authentication when undefined. */
  user?: string;
  password?: string;
  /** Default: the server's default database. */
  database?: string;
  /** Used instead of a driver of our own; the caller keeps it (close() leaves it open). */
  driver?: Driver;
  /** Connection and connection-acquisition timeout of our own driver (ms). */
  timeoutMs?: number;
}

/** Runs one statement and returns all its records. */
export type Run = (query: string, params?: Record<string, unknown>) => Promise<Neo4jRecord[]>;

export const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * The driver, sessions and error translation of Neo4jGraphStore. Every failure
 * leaves as a CmdbError `graph-store` naming the URI and what to check. No
 * statement is retried: a failed sync is repaired by the next one.
 */
export class Neo4jClient {
  readonly uri: string;
  private readonly driver: Driver;
  private readonly ownsDriver: boolean;
  private readonly database: string | undefined;
  private readonly user: string | undefined;

  constructor(options: Neo4jClientOptions) {
    this.uri = options.uri;
    this.database = options.database;
    this.user = options.user;
    this.ownsDriver = options.driver === undefined;
    this.driver = options.driver ?? this.createDriver(options);
  }

  /** Runs `work` with one read session. */
  async read<T>(work: (run: Run) => Promise<T>): Promise<T> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ });
    try {
      return await work(async (query, params) => (await session.run(query, params)).records);
    } catch (error) {
      throw this.translate(error);
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  /** Runs one statement as its own (auto-commit) write transaction. */
  async write(query: string, params: Record<string, unknown> = {}): Promise<Neo4jRecord[]> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.WRITE });
    try {
      return (await session.run(query, params)).records;
    } catch (error) {
      throw this.translate(error);
    } finally {
      await session.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.ownsDriver) await this.driver.close();
  }

  /** A CmdbError `graph-store` for any failure (CmdbErrors pass unchanged). */
  translate(error: unknown): CmdbError {
    if (error instanceof CmdbError) return error;
    const code = (error as { code?: unknown }).code;
    const text = (error as { message?: unknown }).message;
    const message = typeof text === 'string' ? text : String(error);
    return new CmdbError(this.explain(typeof code === 'string' ? code : '', message), { code: 'graph-store', cause: error });
  }

  private explain(code: string, message: string): string {
    const at = `Neo4j at ${this.uri}`;
    if (code.startsWith('Neo.ClientError.Security.')) {
      const who = this.user === undefined ? 'no credentials were given' : `user "${this.user}"`;
      return `${at} refused the credentials (${who}): check CMDB_NEO4J_USER and CMDB_NEO4J_PASSWORD. ${firstLine(message)}`;
    }
    if (code === 'Neo.ClientError.Database.DatabaseNotFound') {
      return `${at} has no database "${this.database}": check CMDB_NEO4J_DATABASE. ${firstLine(message)}`;
    }
    if (code === 'ServiceUnavailable' || code === 'SessionExpired' || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|timed out/i.test(message)) {
      return `${at} is unreachable: check that Neo4j is running and that the URI (CMDB_NEO4J_URI or --neo4j) is right. ${reason(message)}`;
    }
    return `${at} failed: ${firstLine(message)}`;
  }

  private createDriver(options: Neo4jClientOptions): Driver {
    const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const auth = options.user === undefined ? undefined : neo4j.auth.basic(options.user, options.password ?? '');
    try {
      return neo4j.driver(options.uri, auth, {
        connectionTimeout: timeout,
        connectionAcquisitionTimeout: timeout,
        maxTransactionRetryTime: timeout,
        disableLosslessIntegers: true,
        fetchSize: -1, // whole results at once: a traversal's rows are all needed, and each extra batch is a round trip
        userAgent: 'gitops-cmdb',
        notificationFilter: { minimumSeverityLevel: 'OFF' },
      });
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      throw new CmdbError(`"${options.uri}" is not a Neo4j URI (bolt://host:port or neo4j://host:port): ${message}`, { code: 'graph-store', cause });
    }
  }
}

const firstLine = (text: string): string => text.split('\n')[0].trim();

/** The useful part of the driver's connection message (`connect ECONNREFUSED 127.0.0.1:1`). */
function reason(message: string): string {
  const caused = /Caused by: (.*)$/s.exec(message);
  return firstLine(caused ? caused[1] : message);
}

/** A count or other integer read from Neo4j, whatever the driver's integer setting. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (neo4j.isInt(value)) return (value as { toNumber(): number }).toNumber();
  return Number(value);
}

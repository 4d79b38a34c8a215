import net from 'node:net';
import { Aedes } from 'aedes';

export class EmbeddedBrokerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedBrokerError';
  }
}

/**
 * The embedded default broker: aedes over TCP. It speaks MQTT 3.1.1 and ignores `$share` subscriptions,
 * which is fine for one process on a laptop; set MQTT_URL to use Mosquitto (MQTT 5) for scale.
 */
export class EmbeddedBroker {
  private broker?: Aedes;
  private server?: net.Server;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Starts listening; returns the URL clients use. Fails, naming MQTT_PORT and MQTT_URL, if the port is taken. */
  async start(): Promise<string> {
    const broker = await Aedes.createBroker();
    const server = net.createServer(broker.handle);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.port, this.host, () => resolve());
      });
    } catch (error) {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'EADDRINUSE'
          ? `port ${this.port} on ${this.host} is already in use (another MQTT broker?)`
          : `could not listen on ${this.host}:${this.port} (${(error as Error).message})`;
      throw new EmbeddedBrokerError(
        `the embedded MQTT broker could not start: ${reason}. ` +
          `Set MQTT_PORT to a free port, or set MQTT_URL to use the broker that is already running.`,
      );
    }
    this.broker = broker;
    this.server = server;
    const { port } = server.address() as net.AddressInfo;
    return `mqtt://${this.host}:${port}`;
  }

  async stop(): Promise<void> {
    const { broker, server } = this;
    this.broker = undefined;
    this.server = undefined;
    // Closing the broker first disconnects its clients; server.close() would otherwise wait for them.
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

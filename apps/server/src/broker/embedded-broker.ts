import { randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { Aedes, type Client } from 'aedes';
import {
  parseDeviceTopic,
  UPLINK_KINDS,
  type DeviceTopicKind,
} from '../../../../libs/telemetry/src/index.js';

export class EmbeddedBrokerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedBrokerError';
  }
}

/** Checks a device's MQTT password (username = device id). Installed once the database is up. */
export type DeviceAuthenticator = (deviceId: string, password: string) => Promise<boolean>;

/** The server's own login on the embedded broker: generated per start, never written anywhere. */
export const SERVER_USERNAME = 'lookout-server';

const DOWNLINK_KINDS: readonly DeviceTopicKind[] = ['alert', 'config'];

type Identity = { role: 'server' } | { role: 'device'; deviceId: string };
const identities = new WeakMap<Client, Identity>();

function authError(returnCode: 3 | 4 | 5, message: string) {
  return Object.assign(new Error(message), { returnCode });
}

/** A device may publish only its own uplink topics and subscribe only to its own downlink topics. */
export function deviceMayUse(deviceId: string, topic: string, direction: 'publish' | 'subscribe'): boolean {
  const parsed = parseDeviceTopic(topic);
  if (!parsed || parsed.deviceId !== deviceId) return false;
  const allowed: readonly DeviceTopicKind[] = direction === 'publish' ? UPLINK_KINDS : DOWNLINK_KINDS;
  return allowed.includes(parsed.kind);
}

/**
 * The embedded default broker: aedes over TCP. It speaks MQTT 3.1.1 and ignores `$share` subscriptions,
 * which is fine for one process on a laptop; set MQTT_URL to use Mosquitto (MQTT 5) for scale.
 * Every client authenticates: the server with its per-start credential, each device with the credential
 * issued at enrolment (username = device id), and a device may publish only under its own topics.
 */
export class EmbeddedBroker {
  private broker?: Aedes;
  private server?: net.Server;
  private deviceAuthenticator?: DeviceAuthenticator;
  readonly serverPassword = randomBytes(24).toString('base64url');

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  /** Until this is set (the database is not up yet), devices are refused. */
  setDeviceAuthenticator(authenticator: DeviceAuthenticator): void {
    this.deviceAuthenticator = authenticator;
  }

  /** Starts listening; returns the URL clients use. Fails, naming MQTT_PORT and MQTT_URL, if the port is taken. */
  async start(): Promise<string> {
    const broker = await Aedes.createBroker({ drainTimeout: 30_000 });
    this.installAccessControl(broker);
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

  private installAccessControl(broker: Aedes): void {
    const expected = Buffer.from(this.serverPassword);
    broker.authenticate = (client, username, password, done) => {
      if (username === SERVER_USERNAME) {
        const ok = !!password && password.length === expected.length && timingSafeEqual(password, expected);
        if (ok) identities.set(client, { role: 'server' });
        return ok ? done(null, true) : done(authError(4, 'bad server credential'), false);
      }
      const authenticator = this.deviceAuthenticator;
      if (!username || !password || !authenticator) {
        return done(
          authError(4, 'a device must log in with its id and the credential issued at enrolment'),
          false,
        );
      }
      authenticator(username, password.toString('utf8')).then(
        (ok) => {
          if (ok) identities.set(client, { role: 'device', deviceId: username });
          done(ok ? null : authError(4, `bad credential for device ${username}`), ok);
        },
        // The check itself failed (database busy or away): "server unavailable", so the device retries.
        () => done(authError(3, 'credential check unavailable, try again'), false),
      );
    };
    broker.authorizePublish = (client, packet, callback) => {
      const identity = client ? identities.get(client) : { role: 'server' as const };
      if (identity?.role === 'server') return callback(null);
      if (identity?.role === 'device' && deviceMayUse(identity.deviceId, packet.topic, 'publish'))
        return callback(null);
      callback(new Error(`publishing to ${packet.topic} is not allowed for this client`));
    };
    broker.authorizeSubscribe = (client, subscription, callback) => {
      const identity = identities.get(client);
      if (identity?.role === 'server') return callback(null, subscription);
      if (identity?.role === 'device' && deviceMayUse(identity.deviceId, subscription.topic, 'subscribe')) {
        return callback(null, subscription);
      }
      // A null subscription answers with a failure code for this filter [MQTT-3.9.3-2] instead of dropping the client.
      callback(null, null);
    };
  }
}

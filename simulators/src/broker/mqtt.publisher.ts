import { randomBytes } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';

export type QoS = 0 | 1 | 2;

/** Where replayed messages go. The MQTT implementation is below; tests of replay logic may record instead. */
export interface FixPublisher {
  /** Resolves when the broker has taken the message (PUBACK/PUBCOMP for QoS 1/2, written for QoS 0). */
  publish(topic: string, payload: Uint8Array, qos: QoS): Promise<void>;
  close(): Promise<void>;
}

export interface MqttConnectOptions {
  brokerUrl: string;
  username?: string;
  password?: string;
  /** How long to wait for the broker's CONNACK before giving up. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Default `lookout-sim-` and 8 random hex digits: 20 characters, within MQTT 3.1.1's 23 ([MQTT-3.1.3-5]). */
  clientId?: string;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** The broker could not be reached or refused the connection. */
export class BrokerConnectError extends Error {
  constructor(
    readonly brokerUrl: string,
    readonly reason: string,
  ) {
    super(`cannot connect to the MQTT broker at ${brokerUrl}: ${reason}`);
    this.name = 'BrokerConnectError';
  }
}

/** The connection dropped while publishing; messages not yet acknowledged are counted as failed. */
export class BrokerConnectionLostError extends Error {
  constructor(readonly brokerUrl: string) {
    super(`lost the connection to the MQTT broker at ${brokerUrl}`);
    this.name = 'BrokerConnectionLostError';
  }
}

/** Waits for the broker's CONNACK at most `connectTimeoutMs`; fails with BrokerConnectError naming the URL. */
export async function connectMqttPublisher(options: MqttConnectOptions): Promise<FixPublisher> {
  const { brokerUrl, username, password } = options;
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  let client: MqttClient;
  try {
    client = connect(brokerUrl, {
      clientId: options.clientId ?? `lookout-sim-${randomBytes(4).toString('hex')}`,
      username,
      password,
      clean: true,
      // Our own timer below gives the clearer message; MQTT.js's CONNACK timer is only a backstop.
      connectTimeout: connectTimeoutMs + 1000,
      // A replay is a bounded run: it reports a lost connection rather than silently buffering for a retry.
      reconnectPeriod: 0,
    });
  } catch (error) {
    throw new BrokerConnectError(brokerUrl, (error as Error).message);
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`no answer within ${connectTimeoutMs / 1000} s (is the broker running?)`),
      connectTimeoutMs,
    );
    const onConnect = () => {
      cleanUp();
      resolve();
    };
    const onError = (error: Error) => fail(error.message);
    const onClose = () => fail('the connection closed before the broker accepted it');
    function cleanUp() {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
      client.off('close', onClose);
    }
    function fail(reason: string) {
      cleanUp();
      client.on('error', () => undefined); // late socket errors after giving up must not crash the process
      client.end(true);
      reject(new BrokerConnectError(brokerUrl, reason));
    }
    client.on('connect', onConnect);
    client.on('error', onError);
    client.on('close', onClose);
  });
  return new MqttFixPublisher(client, brokerUrl);
}

class MqttFixPublisher implements FixPublisher {
  private lostError?: BrokerConnectionLostError;
  private readonly lost: Promise<never>;
  private closing = false;

  constructor(
    private readonly client: MqttClient,
    brokerUrl: string,
  ) {
    let rejectLost: (error: Error) => void = () => undefined;
    this.lost = new Promise<never>((_resolve, reject) => {
      rejectLost = reject;
    });
    this.lost.catch(() => undefined); // observed by publish(); no unhandled rejection when nothing is in flight
    client.on('error', () => undefined); // the 'close' that follows is what matters
    client.on('close', () => {
      if (this.closing || this.lostError) return;
      this.lostError = new BrokerConnectionLostError(brokerUrl);
      rejectLost(this.lostError);
    });
  }

  async publish(topic: string, payload: Uint8Array, qos: QoS): Promise<void> {
    if (this.lostError) throw this.lostError;
    const message = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    // With reconnects off, an unacknowledged QoS 1 publish would wait forever after a drop: race the drop.
    await Promise.race([this.client.publishAsync(topic, message, { qos }), this.lost]);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.lostError) {
      this.client.end(true);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const graceful = this.client.endAsync().then(() => true);
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), DEFAULT_CONNECT_TIMEOUT_MS);
    });
    const closed = await Promise.race([graceful, timedOut]);
    clearTimeout(timer);
    if (!closed) this.client.end(true);
  }
}

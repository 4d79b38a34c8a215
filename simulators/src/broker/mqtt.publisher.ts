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
  await untilAccepted(
    client,
    brokerUrl,
    connectTimeoutMs,
    (accept) => {
      client.on('connect', accept);
      return () => client.off('connect', accept);
    },
    () => client.end(true),
  );
  return new MqttFixPublisher(client, brokerUrl);
}

/** What untilAccepted needs of a connection (an MQTT.js client, a socket): its 'error' and 'close' events. */
interface ConnectionEvents {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

/**
 * Waits until a new connection is accepted by the broker. `watch` listens for whatever says so (MQTT.js's
 * 'connect', or the lean publisher's CONNACK) and calls `accept`, or `refuse` with a reason; it returns
 * how to stop listening. An 'error' or 'close' of the connection, or no answer within `timeoutMs`, refuses
 * too. A refusal closes the connection (`abort`) and rejects with BrokerConnectError naming the URL.
 */
export function untilAccepted(
  connection: ConnectionEvents,
  brokerUrl: string,
  timeoutMs: number,
  watch: (accept: () => void, refuse: (reason: string) => void) => () => void,
  abort: () => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => refuse(`no answer within ${timeoutMs / 1000} s (is the broker running?)`),
      timeoutMs,
    );
    const onError = (error: Error) => refuse(error.message);
    const onClose = () => refuse('the connection closed before the broker accepted it');
    let unwatch = (): void => undefined;
    function cleanUp() {
      clearTimeout(timer);
      unwatch();
      connection.off('error', onError);
      connection.off('close', onClose);
    }
    function accept() {
      cleanUp();
      resolve();
    }
    function refuse(reason: string) {
      cleanUp();
      connection.on('error', () => undefined); // late socket errors after giving up must not crash the process
      abort();
      reject(new BrokerConnectError(brokerUrl, reason));
    }
    connection.on('error', onError);
    connection.on('close', onClose);
    unwatch = watch(accept, refuse);
  });
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

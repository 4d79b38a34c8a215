import { randomBytes } from 'node:crypto';
import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import {
  BrokerConnectionLostError,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type FixPublisher,
  type MqttConnectOptions,
  type QoS,
  untilAccepted,
} from './mqtt.publisher.js';

const KEEPALIVE_S = 60;
const PINGREQ = Buffer.from([0xc0, 0x00]);
const DISCONNECT = Buffer.from([0xe0, 0x00]);
const CONNACK_REASONS: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'client identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorised',
};

/** Whether the lean publisher can reach this broker URL (plain TCP; TLS and WebSockets need MQTT.js). */
export function leanPublisherSupports(brokerUrl: string, qos: QoS): boolean {
  const protocol = new URL(brokerUrl).protocol;
  return (protocol === 'mqtt:' || protocol === 'tcp:') && qos < 2;
}

/**
 * A load generator's MQTT 3.1.1 publisher: QoS 0 and 1 over plain TCP, nothing else (no subscriptions, no
 * reconnect, no TLS). Where MQTT.js writes and tracks every message on its own, this one builds each
 * PUBLISH in one buffer, writes everything published in the same turn of the event loop with one socket
 * write, and settles QoS 1 publishes from a 65,536-slot table indexed by packet id. On this project's
 * 2-core machine it costs the fleet a fraction of MQTT.js's CPU, which is then left to the server under
 * test. Same contract as `connectMqttPublisher`: BrokerConnectError when the broker cannot be reached or
 * refuses, BrokerConnectionLostError for what is in flight when the connection drops.
 */
export async function connectLeanPublisher(options: MqttConnectOptions): Promise<FixPublisher> {
  const { brokerUrl } = options;
  const url = new URL(brokerUrl);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const socket = net.connect({ host: url.hostname, port: Number(url.port || 1883) });
  socket.setNoDelay(true);
  const connect = mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId: options.clientId ?? `lookout-sim-${randomBytes(4).toString('hex')}`,
    keepalive: KEEPALIVE_S,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: Buffer.from(options.password) } : {}),
  });
  await untilAccepted(
    socket,
    brokerUrl,
    connectTimeoutMs,
    (accept, refuse) => {
      let received = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < 4) return;
        if (received[0] !== 0x20) return refuse(`expected a CONNACK, got packet type ${received[0]! >> 4}`);
        const code = received[3]!;
        if (code !== 0)
          return refuse(`the broker refused the connection: ${CONNACK_REASONS[code] ?? `code ${code}`}`);
        accept();
      };
      socket.on('data', onData);
      socket.once('connect', () => socket.write(connect));
      return () => socket.off('data', onData);
    },
    () => socket.destroy(),
  );
  return new LeanPublisher(socket, brokerUrl);
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

class LeanPublisher implements FixPublisher {
  /** Waiters of unacknowledged QoS 1 publishes, by packet id. */
  private readonly waiting: (Waiter | undefined)[] = new Array<Waiter | undefined>(65_536);
  private inFlight = 0;
  private nextId = 1;
  private readonly topics = new Map<string, Buffer>();
  private queued: Buffer[] = [];
  /** QoS 0 publishes settle once their bytes are handed to the socket. */
  private queuedQos0: Waiter[] = [];
  private flushScheduled = false;
  private received: Buffer = Buffer.alloc(0);
  private lostError?: BrokerConnectionLostError;
  private closing = false;
  private readonly ping: NodeJS.Timeout;

  constructor(
    private readonly socket: net.Socket,
    private readonly brokerUrl: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => undefined); // the 'close' that follows is what matters
    socket.on('close', () => this.lose());
    this.ping = setInterval(() => socket.write(PINGREQ), (KEEPALIVE_S * 1000) / 2);
    this.ping.unref();
  }

  publish(topic: string, payload: Uint8Array, qos: QoS): Promise<void> {
    if (this.lostError) return Promise.reject(this.lostError);
    if (qos === 2) return Promise.reject(new RangeError('the lean publisher sends QoS 0 and 1 only'));
    let topicBytes = this.topics.get(topic);
    if (!topicBytes) this.topics.set(topic, (topicBytes = Buffer.from(topic, 'utf8')));
    const id = qos === 1 ? this.allocateId() : 0;
    const remaining = 2 + topicBytes.length + (qos === 1 ? 2 : 0) + payload.byteLength;
    const header = remaining < 128 ? 2 : remaining < 16_384 ? 3 : remaining < 2_097_152 ? 4 : 5;
    const packet = Buffer.allocUnsafe(header + remaining);
    packet[0] = 0x30 | (qos << 1);
    let offset = 1;
    for (let length = remaining; ;) {
      const byte = length % 128;
      length = Math.floor(length / 128);
      packet[offset++] = length > 0 ? byte | 0x80 : byte;
      if (length === 0) break;
    }
    packet.writeUInt16BE(topicBytes.length, offset);
    offset += 2 + topicBytes.copy(packet, offset + 2);
    if (qos === 1) offset = packet.writeUInt16BE(id, offset);
    packet.set(payload, offset);
    this.queued.push(packet);
    this.scheduleFlush();
    return new Promise<void>((resolve, reject) => {
      if (qos === 1) {
        this.waiting[id] = { resolve, reject };
        this.inFlight++;
      } else this.queuedQos0.push({ resolve, reject });
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.ping);
    if (this.lostError) return;
    this.flush();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, DEFAULT_CONNECT_TIMEOUT_MS);
      this.socket.end(DISCONNECT, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private allocateId(): number {
    if (this.inFlight >= 65_535) throw new RangeError('65,535 QoS 1 publishes are already unacknowledged');
    while (this.waiting[this.nextId] !== undefined) this.nextId = (this.nextId % 65_535) + 1;
    const id = this.nextId;
    this.nextId = (this.nextId % 65_535) + 1;
    return id;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** One socket write for everything published since the last one. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.queued.length === 0 || this.lostError) return;
    const bytes = this.queued.length === 1 ? this.queued[0]! : Buffer.concat(this.queued);
    const written = this.queuedQos0;
    this.queued = [];
    this.queuedQos0 = [];
    this.socket.write(bytes, (error) => {
      for (const waiter of written) {
        if (error) waiter.reject(new BrokerConnectionLostError(this.brokerUrl));
        else waiter.resolve();
      }
    });
  }

  /** Incoming packets: PUBACKs settle their publish; PINGRESPs and anything else are skipped. */
  private read(chunk: Buffer): void {
    let data = this.received.length > 0 ? Buffer.concat([this.received, chunk]) : chunk;
    let offset = 0;
    while (data.length - offset >= 2) {
      let length = 0;
      let multiplier = 1;
      let cursor = offset + 1;
      let complete = false;
      while (cursor < data.length && cursor - offset <= 4) {
        const byte = data[cursor++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || data.length - cursor < length) break;
      if (data[offset]! >> 4 === 4 && length >= 2) this.acknowledged(data.readUInt16BE(cursor));
      offset = cursor + length;
    }
    data = data.subarray(offset);
    this.received = data.length > 0 ? Buffer.from(data) : Buffer.alloc(0);
  }

  private acknowledged(id: number): void {
    const waiter = this.waiting[id];
    if (!waiter) return;
    this.waiting[id] = undefined;
    this.inFlight--;
    waiter.resolve();
  }

  private lose(): void {
    clearInterval(this.ping);
    if (this.lostError) return;
    this.lostError = new BrokerConnectionLostError(this.brokerUrl);
    for (let id = 1; id < this.waiting.length; id++) {
      const waiter = this.waiting[id];
      if (waiter) {
        this.waiting[id] = undefined;
        // A publish in flight when we closed on purpose was still not acknowledged: it failed.
        waiter.reject(this.lostError);
      }
    }
    this.inFlight = 0;
    // Never written: failed too.
    for (const waiter of this.queuedQos0) waiter.reject(this.lostError);
    this.queuedQos0 = [];
    this.queued = [];
  }
}

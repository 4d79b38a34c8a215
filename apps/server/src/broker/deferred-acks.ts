import type { MqttClient } from 'mqtt';

interface Packet {
  cmd: string;
  messageId?: number;
}
type SendPacket = (packet: Packet, cb?: (error?: Error) => void, ...rest: unknown[]) => void;

interface HeldAck {
  packet: Packet;
  durable: Promise<void>;
}

/**
 * Holds back the PUBACK of a QoS 1 message until the message is durable, while letting the client read the
 * next messages meanwhile, so many messages can share one database batch. PUBACKs still leave in the order
 * the messages arrived, as MQTT requires [MQTT-4.6.0-2]. If the connection drops first, the held PUBACKs
 * are discarded: the broker redelivers those messages and storage is idempotent.
 *
 * MQTT.js has no public hook for this: it sends the PUBACK from the `handleMessage` callback, which also
 * releases its read stream. We wrap its `_sendPacket` and hold back the PUBACKs we were told to hold.
 *
 * Held PUBACKs wait in arrival order. Messages of one database batch share one `durable` promise, which is
 * watched once (not once per message): when it settles, every PUBACK at the head of the queue whose promise
 * has settled goes out (durable) or is dropped (never durable: the broker will deliver it again).
 */
export class DeferredAcks {
  private readonly held = new Map<number, Promise<void>>();
  private queue: HeldAck[] = [];
  private head = 0;
  private readonly outcomes = new WeakMap<Promise<void>, boolean>();
  private readonly watched = new WeakSet<Promise<void>>();
  private drained: (() => void)[] = [];
  private readonly send: SendPacket;

  constructor(private readonly client: MqttClient) {
    const target = client as unknown as { _sendPacket: SendPacket };
    this.send = target._sendPacket.bind(client) as SendPacket;
    target._sendPacket = (packet, cb, ...rest) => {
      const durable =
        packet.cmd === 'puback' && packet.messageId !== undefined
          ? this.held.get(packet.messageId)
          : undefined;
      if (!durable) return this.send(packet, cb, ...rest);
      this.held.delete(packet.messageId!);
      this.queue.push({ packet, durable });
      this.watch(durable);
      this.release();
      cb?.();
    };
    client.on('close', () => {
      // The broker delivers again whatever was not acknowledged on this connection.
      this.held.clear();
      this.queue = [];
      this.head = 0;
      this.notifyDrained();
    });
  }

  /** The next PUBACK for `messageId` waits for `durable`. Call before releasing the message to MQTT.js. */
  hold(messageId: number, durable: Promise<void>): void {
    this.held.set(messageId, durable);
  }

  /** Resolves once every PUBACK held so far has been sent or dropped. */
  async drain(): Promise<void> {
    if (this.head === this.queue.length) return;
    await new Promise<void>((resolve) => this.drained.push(resolve));
  }

  private watch(durable: Promise<void>): void {
    if (this.watched.has(durable)) return;
    this.watched.add(durable);
    durable.then(
      () => this.settled(durable, true),
      () => this.settled(durable, false),
    );
  }

  private settled(durable: Promise<void>, ok: boolean): void {
    this.outcomes.set(durable, ok);
    this.release();
  }

  /** Sends (or drops) the PUBACKs at the head of the queue whose messages are settled, in arrival order. */
  private release(): void {
    const { queue } = this;
    while (this.head < queue.length) {
      const { packet, durable } = queue[this.head]!;
      const ok = this.outcomes.get(durable);
      if (ok === undefined) break;
      this.head++;
      if (ok && this.client.connected) this.send(packet);
    }
    if (this.head === queue.length) {
      this.queue = [];
      this.head = 0;
      this.notifyDrained();
    } else if (this.head > 4096 && this.head * 2 > queue.length) {
      this.queue = queue.slice(this.head);
      this.head = 0;
    }
  }

  private notifyDrained(): void {
    for (const resolve of this.drained.splice(0)) resolve();
  }
}

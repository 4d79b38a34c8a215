import type { MqttClient } from 'mqtt';

interface Packet {
  cmd: string;
  messageId?: number;
}
type SendPacket = (packet: Packet, cb?: (error?: Error) => void, ...rest: unknown[]) => void;

/**
 * Holds back the PUBACK of a QoS 1 message until the message is durable, while letting the client read the
 * next messages meanwhile, so many messages can share one database batch. PUBACKs still leave in the order
 * the messages arrived, as MQTT requires [MQTT-4.6.0-2]. If the connection drops first, the held PUBACKs
 * are discarded: the broker redelivers those messages and storage is idempotent.
 *
 * MQTT.js has no public hook for this: it sends the PUBACK from the `handleMessage` callback, which also
 * releases its read stream. We wrap its `_sendPacket` and hold back the PUBACKs we were told to hold.
 */
export class DeferredAcks {
  private readonly held = new Map<number, Promise<void>>();
  private chain: Promise<void> = Promise.resolve();
  private generation = 0;

  constructor(private readonly client: MqttClient) {
    const target = client as unknown as { _sendPacket: SendPacket };
    const send = target._sendPacket.bind(client) as SendPacket;
    target._sendPacket = (packet, cb, ...rest) => {
      const durable =
        packet.cmd === 'puback' && packet.messageId !== undefined
          ? this.held.get(packet.messageId)
          : undefined;
      if (!durable) return send(packet, cb, ...rest);
      this.held.delete(packet.messageId!);
      const generation = this.generation;
      this.chain = this.chain.then(() =>
        durable.then(
          () => {
            if (generation === this.generation && client.connected) send(packet);
          },
          () => undefined, // never durable: no PUBACK, the broker will deliver it again
        ),
      );
      cb?.();
    };
    client.on('close', () => {
      this.generation++;
      this.held.clear();
    });
  }

  /** The next PUBACK for `messageId` waits for `durable`. Call before releasing the message to MQTT.js. */
  hold(messageId: number, durable: Promise<void>): void {
    this.held.set(messageId, durable);
  }

  /** Resolves once every PUBACK held so far has been sent or dropped. */
  async drain(): Promise<void> {
    await this.chain;
  }
}

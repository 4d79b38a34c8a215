import net from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { connectLeanPublisher, leanPublisherSupports } from './lean.publisher.js';
import { BrokerConnectError, BrokerConnectionLostError } from './mqtt.publisher.js';

/** A real MQTT broker (aedes) on a free loopback port, optionally checking a login. */
async function startBroker(login?: { username: string; password: string }) {
  const broker = await Aedes.createBroker();
  if (login) {
    broker.authenticate = (_client, username, password, done) =>
      done(null, username === login.username && password?.toString() === login.password);
  }
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const stop = async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url: `mqtt://127.0.0.1:${port}`, stop };
}

describe('lean publisher (a real broker: aedes on loopback)', () => {
  it('delivers QoS 0 and 1 messages byte for byte, in order, and settles QoS 1 on the PUBACK', async () => {
    const broker = await startBroker();
    const subscriber = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const received: { topic: string; payload: Buffer; qos: number }[] = [];
    subscriber.on('message', (topic, payload, packet) => received.push({ topic, payload, qos: packet.qos }));
    await subscriber.subscribeAsync('lean/#', { qos: 1 });
    const publisher = await connectLeanPublisher({ brokerUrl: broker.url });
    // Sizes either side of the remaining-length encoding's 1-, 2- and 3-byte boundaries.
    const sizes = [0, 1, 100, 122, 123, 200, 16_380, 16_400, 70_000];
    const payloads = sizes.map((size, i) => Buffer.alloc(size, i + 1));
    await Promise.all(
      payloads.map((payload, i) => publisher.publish(`lean/${i}`, payload, i % 2 === 0 ? 1 : 0)),
    );
    await new Promise<void>((resolve) => {
      const check = () => (received.length >= payloads.length ? resolve() : setTimeout(check, 10));
      check();
    });
    // MQTT orders messages within one QoS level; the broker may interleave the two levels.
    for (const qos of [0, 1]) {
      const sent = payloads.map((_, i) => i).filter((i) => i % 2 === (qos === 1 ? 0 : 1));
      expect(received.filter((m) => m.qos === qos).map((m) => m.topic)).toEqual(sent.map((i) => `lean/${i}`));
    }
    for (const message of received) {
      const i = Number(message.topic.slice('lean/'.length));
      expect(message.payload.equals(payloads[i]!)).toBe(true);
    }
    // Many QoS 1 publishes in one turn: one write, every one acknowledged.
    await Promise.all(
      Array.from({ length: 2000 }, (_, i) => publisher.publish('lean/burst', Buffer.from(`${i}`), 1)),
    );
    await publisher.close();
    await subscriber.endAsync();
    await broker.stop();
  });

  it('logs in, and names the reason when the broker refuses or is not there', async () => {
    const broker = await startBroker({ username: 'fleet', password: 'secret' });
    const good = await connectLeanPublisher({ brokerUrl: broker.url, username: 'fleet', password: 'secret' });
    await good.publish('lean/x', Buffer.from('ok'), 1);
    await good.close();
    const refused = connectLeanPublisher({ brokerUrl: broker.url, username: 'fleet', password: 'wrong' });
    await expect(refused).rejects.toBeInstanceOf(BrokerConnectError);
    await expect(refused).rejects.toThrow(
      /refused the connection: (bad user name or password|not authorised)/,
    );
    await broker.stop();
    await expect(connectLeanPublisher({ brokerUrl: broker.url, connectTimeoutMs: 500 })).rejects.toThrow(
      /cannot connect to the MQTT broker at mqtt:\/\/127\.0\.0\.1/,
    );
  });

  it('fails what is in flight when the connection drops, and every publish after', async () => {
    const broker = await startBroker();
    const publisher = await connectLeanPublisher({ brokerUrl: broker.url });
    await publisher.publish('lean/before', Buffer.from('x'), 1);
    await broker.stop();
    await expect(publisher.publish('lean/after', Buffer.from('x'), 1)).rejects.toBeInstanceOf(
      BrokerConnectionLostError,
    );
  });

  it('is used for plain TCP at QoS 0 and 1 only', () => {
    expect(leanPublisherSupports('mqtt://127.0.0.1:1883', 1)).toBe(true);
    expect(leanPublisherSupports('tcp://127.0.0.1:1883', 0)).toBe(true);
    expect(leanPublisherSupports('mqtt://127.0.0.1:1883', 2)).toBe(false);
    expect(leanPublisherSupports('mqtts://127.0.0.1:8883', 1)).toBe(false);
    expect(leanPublisherSupports('ws://127.0.0.1:9001', 1)).toBe(false);
  });
});

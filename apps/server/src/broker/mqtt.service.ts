import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { sharedFilter } from '../../../../libs/telemetry/src/index.js';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/config.tokens.js';
import { DeferredAcks } from './deferred-acks.js';

export type QoS = 0 | 1 | 2;

/**
 * Handles one message. The next message is read once the returned promise settles (keep it short: that
 * is the backpressure); the PUBACK waits for `durable` when one is returned, else for the promise itself.
 */
export type MessageHandler = (
  topic: string,
  payload: Buffer,
  /** `retain`: the broker's retained message for the topic, delivered because we subscribed. */
  meta: { retain: boolean },
) => Promise<void | { durable: Promise<void> }>;

/**
 * MQTT 5: at most this many unacknowledged QoS 1 messages in flight to us [MQTT-3.3.4-7]. PUBACKs wait for the
 * batch to commit, so this window is what lets batches fill; the batch writer's queue bound is the real limit.
 */
export const RECEIVE_MAXIMUM = 65_535;

const CONNECT_TIMEOUT_MS = 10_000;
const SHUTDOWN_WAIT_MS = 5_000;

/**
 * Lookout's one MQTT connection, with a stable client id and a persistent session, so QoS 1 messages sent
 * while the server is down are delivered when it comes back. Messages are handled one at a time and
 * acknowledged only once handled: a crash before storing means the broker delivers again.
 */
@Injectable()
export class MqttService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MqttService.name);
  private client?: MqttClient;
  private acks?: DeferredAcks;
  private handler?: MessageHandler;
  private readonly subscriptions = new Map<string, QoS>();

  constructor(@Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig) {}

  /** Registered during module init, before the connection opens, so no queued message finds nobody home. */
  setMessageHandler(handler: MessageHandler): void {
    this.handler = handler;
  }

  /**
   * Subscribes once connected. With MQTT_SHARED_GROUP on an external MQTT 5 broker the filter becomes
   * `$share/{group}/{filter}`, so the server processes of the group split the load [MQTT-4.8.2].
   */
  addSubscription(filter: string, qos: QoS): void {
    const group = this.config.mqtt.sharedGroup;
    this.subscriptions.set(group && !this.config.embedded.broker ? sharedFilter(group, filter) : filter, qos);
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** The broker URL without credentials, for logs and health. */
  get brokerUrl(): string {
    const url = new URL(this.config.mqttUrl);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.mqtt.sharedGroup && this.config.embedded.broker) {
      this.logger.warn(
        'MQTT_SHARED_GROUP is ignored: the embedded broker has no shared subscriptions (set MQTT_URL)',
      );
    }
    // aedes speaks MQTT 3.1.1; an external broker (Mosquitto) gets MQTT 5 for shared subscriptions.
    const protocolVersion = this.config.embedded.broker ? 4 : 5;
    const options: IClientOptions = {
      clientId: this.config.mqtt.clientId,
      clean: false,
      protocolVersion,
      // Without an explicit Receive Maximum, Mosquitto sends at most 20 unacknowledged messages (its
      // max_inflight_messages): with PUBACKs held until the batch commits, that would cap ingest.
      properties:
        protocolVersion === 5
          ? { sessionExpiryInterval: this.config.mqtt.sessionExpiryS, receiveMaximum: RECEIVE_MAXIMUM }
          : undefined,
      username: this.config.mqtt.username,
      password: this.config.mqtt.password,
      reconnectPeriod: 1000,
      connectTimeout: CONNECT_TIMEOUT_MS,
      manualConnect: true,
    };
    const client = mqtt.connect(this.config.mqttUrl, options);
    const acks = new DeferredAcks(client);
    client.handleMessage = (packet, done) => {
      const handler = this.handler;
      if (!handler) return done();
      const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
      const hold = (durable: Promise<void>) => {
        if (packet.qos > 0 && packet.messageId !== undefined) acks.hold(packet.messageId, durable);
      };
      handler(packet.topic, payload, { retain: packet.retain }).then(
        (result) => {
          if (result) {
            // Observed here whatever the QoS, so a message that is never durable cannot crash the process.
            result.durable.catch(() => undefined);
            hold(result.durable);
          }
          done();
        },
        (error: unknown) => {
          // Not handled (the server is stopping): no PUBACK, so the broker delivers it again.
          this.logger.warn(`message on ${packet.topic} left unacknowledged: ${String(error)}`);
          hold(Promise.reject(error));
          done();
        },
      );
    };
    this.acks = acks;
    client.on('connect', () => {
      this.logger.log(
        `connected to ${this.brokerUrl} as ${this.config.mqtt.clientId} (MQTT v${protocolVersion})`,
      );
      for (const [filter, qos] of this.subscriptions) {
        client.subscribe(filter, { qos }, (error) => {
          if (error) this.logger.error(`subscribe ${filter} failed: ${error.message}`);
        });
      }
    });
    client.on('offline', () => this.logger.warn(`broker ${this.brokerUrl} unreachable; reconnecting`));
    client.on('error', (error) => this.logger.warn(`broker ${this.brokerUrl}: ${error.message}`));
    this.client = client;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.removeListener('connect', onConnect);
        reject(
          new Error(
            `could not connect to the MQTT broker at ${this.brokerUrl} within ${CONNECT_TIMEOUT_MS} ms (MQTT_URL)`,
          ),
        );
      }, CONNECT_TIMEOUT_MS);
      const onConnect = () => {
        clearTimeout(timer);
        resolve();
      };
      client.once('connect', onConnect);
      client.connect();
    });
  }

  async publish(topic: string, payload: string | Buffer, qos: QoS, retain = false): Promise<void> {
    if (!this.client) throw new Error('MQTT client is not started');
    await this.client.publishAsync(topic, payload, { qos, retain });
  }

  async onApplicationShutdown(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    // Send the PUBACKs of everything already durable before leaving; what is not durable by then stays
    // unacknowledged and the broker delivers it again. Neither wait may hold the shutdown hostage.
    const giveUp = () =>
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), SHUTDOWN_WAIT_MS).unref());
    await Promise.race([this.acks?.drain(), giveUp()]);
    if (client && (await Promise.race([client.endAsync(), giveUp()])) === 'timeout')
      await client.endAsync(true);
  }
}

import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { type INestApplication, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { configureHttp } from './http.setup.js';
import { EmbeddedBroker, SERVER_USERNAME } from './broker/embedded-broker.js';
import { LOG_LEVELS, type LookoutConfig } from './config/config.schema.js';
import type { RuntimeConfig } from './config/config.tokens.js';
import { EmbeddedPostgresServer } from './database/embedded-postgres.js';
import { persistentSecret } from './config/secrets.js';

export interface LookoutRuntime {
  app: INestApplication;
  config: RuntimeConfig;
  /** Where the HTTP API, /health and the Socket.IO gateway listen, e.g. http://127.0.0.1:3000. */
  httpUrl: string;
  /** Stops the server, then the embedded broker and database it started, in that order. */
  close(): Promise<void>;
}

/**
 * Starts Lookout: the embedded PostgreSQL and MQTT broker when no external ones are configured, then the
 * Nest application on top of them. Embedded services start before Nest and stop after it, so the database
 * outlives every connection to it.
 */
export async function startLookout(config: LookoutConfig): Promise<LookoutRuntime> {
  const logLevels = LOG_LEVELS.slice(LOG_LEVELS.indexOf(config.logLevel)) as LogLevel[];
  Logger.overrideLogger(logLevels);
  const logger = new Logger('Lookout');
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const embedded = new EmbeddedPostgresServer(config.dataDir, config.embeddedPostgresPort);
      databaseUrl = await embedded.start();
      cleanups.push(() => embedded.stop());
      logger.log(`embedded PostgreSQL started on ${new URL(databaseUrl).host}, data in ${config.dataDir}`);
    }
    let mqttUrl = config.mqttUrl;
    let mqtt = config.mqtt;
    let embeddedBroker: EmbeddedBroker | null = null;
    if (!mqttUrl) {
      const broker = new EmbeddedBroker(config.mqtt.host, config.mqtt.port);
      mqttUrl = await broker.start();
      cleanups.push(() => broker.stop());
      embeddedBroker = broker;
      mqtt = { ...mqtt, username: SERVER_USERNAME, password: broker.serverPassword };
      logger.log(`embedded MQTT broker listening on ${mqttUrl}`);
    }
    const runtime: RuntimeConfig = {
      ...config,
      auth: {
        ...config.auth,
        jwtSecret: config.auth.jwtSecret ?? (await persistentSecret(config.dataDir, 'jwt.secret')),
      },
      databaseUrl,
      mqttUrl,
      mqtt,
      embedded: { database: !config.databaseUrl, broker: !config.mqttUrl },
    };
    const app = await NestFactory.create(AppModule.forRoot(runtime, embeddedBroker), {
      logger: logLevels,
      bodyParser: false,
    });
    cleanups.push(() => app.close());
    configureHttp(app);
    await app.listen(config.http.port, config.http.host);
    const { port } = app.getHttpServer().address() as AddressInfo;
    const httpUrl = `http://${config.http.host}:${port}`;
    logger.log(`Lookout listening on ${httpUrl} (health: ${httpUrl}/health)`);
    return { app, config: runtime, httpUrl, close: cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

import type { LookoutConfig } from './config.schema.js';

/** The validated configuration, with the URLs of the database and broker actually in use. */
export interface RuntimeConfig extends LookoutConfig {
  auth: LookoutConfig['auth'] & { jwtSecret: string };
  databaseUrl: string;
  mqttUrl: string;
  embedded: { database: boolean; broker: boolean };
}

export const RUNTIME_CONFIG = Symbol('RUNTIME_CONFIG');

/** The embedded broker (EmbeddedBroker), or null when an external broker is configured. */
export const EMBEDDED_BROKER = Symbol('EMBEDDED_BROKER');

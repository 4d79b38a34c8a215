import path from 'node:path';
import { z } from 'zod';

/** Log levels Nest understands, most verbose first. */
export const LOG_LEVELS = ['verbose', 'debug', 'log', 'warn', 'error'] as const;

const port = (name: string, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((value, ctx) => {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n > 65535) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a port number 0-65535, got "${value}"` });
        return z.NEVER;
      }
      return n;
    });

const optionalUrl = (name: string, protocols: readonly string[]) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a URL like ${protocols[0]}//host:port, got "${value}"`,
        });
        return z.NEVER;
      }
      if (!protocols.includes(url.protocol)) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must use ${protocols.join(' or ')}, got "${url.protocol}"`,
        });
        return z.NEVER;
      }
      return value;
    });

const topicLevel = (name: string) =>
  z
    .string()
    .regex(
      /^[A-Za-z0-9._-]{1,64}$/,
      `${name} may contain only letters, digits, ".", "_" and "-" (1-64 characters)`,
    );

/**
 * The environment Lookout reads, once, at boot. Every variable is documented in the README's
 * configuration table; nothing else in the server reads process.env.
 */
export const environmentSchema = z.object({
  DATABASE_URL: optionalUrl('DATABASE_URL', ['postgres:', 'postgresql:']),
  MQTT_URL: optionalUrl('MQTT_URL', ['mqtt:', 'mqtts:', 'tcp:', 'ws:', 'wss:']),
  MQTT_USERNAME: z.string().optional(),
  MQTT_PASSWORD: z.string().optional(),
  MQTT_CLIENT_ID: topicLevel('MQTT_CLIENT_ID').default('lookout-server'),
  MQTT_SESSION_EXPIRY_S: z
    .string()
    .default('86400')
    .refine((value) => /^\d+$/.test(value), {
      message: 'MQTT_SESSION_EXPIRY_S must be a whole number of seconds',
    })
    .transform(Number),
  MQTT_SHARED_GROUP: topicLevel('MQTT_SHARED_GROUP').optional(),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: port('HTTP_PORT', 3000),
  GROUND_TRUTH_MAX_BODY_MB: z
    .string()
    .default('64')
    .refine((value) => /^[1-9]\d*$/.test(value) && Number(value) <= 1024, {
      message: 'GROUND_TRUTH_MAX_BODY_MB must be a whole number of megabytes, 1-1024',
    })
    .transform(Number),
  MQTT_HOST: z.string().min(1).default('127.0.0.1'),
  MQTT_PORT: port('MQTT_PORT', 1883),
  DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_PG_PORT: port('EMBEDDED_PG_PORT', 0),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  JWT_TTL_S: z
    .string()
    .default('28800')
    .refine((value) => /^[1-9]\d*$/.test(value), {
      message: 'JWT_TTL_S must be a positive whole number of seconds',
    })
    .transform(Number),
  ADMIN_EMAIL: z.email('ADMIN_EMAIL must be an e-mail address').default('admin@lookout.local'),
  ADMIN_PASSWORD: z.string().min(12, 'ADMIN_PASSWORD must be at least 12 characters').optional(),
  RETENTION_DEFAULT_DAYS: z
    .string()
    .default('30')
    .refine((value) => /^[1-9]\d*$/.test(value), {
      message: 'RETENTION_DEFAULT_DAYS must be a positive whole number of days',
    })
    .transform(Number),
  RETENTION_INTERVAL_S: z
    .string()
    .default('3600')
    .refine((value) => /^\d+$/.test(value), {
      message: 'RETENTION_INTERVAL_S must be a whole number of seconds',
    })
    .transform(Number),
  DASHBOARD_TILE_URL: z
    .string()
    .regex(
      /^https?:\/\/.*\{z\}.*\{x\}.*\{y\}/,
      'DASHBOARD_TILE_URL must be an http(s) URL template with {z}, {x} and {y}',
    )
    .optional(),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
    .default('log'),
});

export type Environment = z.input<typeof environmentSchema>;

export interface LookoutConfig {
  /** External PostgreSQL; undefined starts the embedded one in `dataDir`. */
  databaseUrl?: string;
  /** External MQTT broker; undefined runs the embedded aedes broker on `mqtt.host:mqtt.port`. */
  mqttUrl?: string;
  mqtt: {
    host: string;
    port: number;
    clientId: string;
    /** MQTT 5: how long the broker keeps the session (subscriptions, queued QoS 1 messages) while we are away. */
    sessionExpiryS: number;
    /** MQTT 5 shared-subscription group: server processes in one group split the devices' messages. */
    sharedGroup?: string;
    username?: string;
    password?: string;
  };
  http: {
    host: string;
    port: number;
    /** The ground-truth import's own body limit (a run's true positions outgrow the 1 MB JSON limit). */
    groundTruthMaxBodyMb: number;
  };
  dataDir: string;
  /** 0 picks a free port at each start. */
  embeddedPostgresPort: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** An optional map tile URL template for the dashboard; without it the map has no base layer. */
  dashboardTileUrl?: string;
  retention: {
    /** Fixes and events outside any trial enrolment are kept this long. */
    defaultDays: number;
    /** How often the retention job runs; 0 turns the timer off. */
    intervalS: number;
  };
  auth: {
    /** Signs JWTs; unset: generated once and kept in DATA_DIR/jwt.secret. */
    jwtSecret?: string;
    jwtTtlS: number;
    /** The first manager account, created at start when there is none. */
    adminEmail: string;
    /** Unset: a password is generated and printed once, when the account is created. */
    adminPassword?: string;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): LookoutConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = issue.path.join('.');
        return issue.message.startsWith(variable) ? issue.message : `${variable}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  return {
    databaseUrl: e.DATABASE_URL,
    mqttUrl: e.MQTT_URL,
    mqtt: {
      host: e.MQTT_HOST,
      port: e.MQTT_PORT,
      clientId: e.MQTT_CLIENT_ID,
      sessionExpiryS: e.MQTT_SESSION_EXPIRY_S,
      sharedGroup: e.MQTT_SHARED_GROUP,
      username: e.MQTT_USERNAME,
      password: e.MQTT_PASSWORD,
    },
    http: { host: e.HTTP_HOST, port: e.HTTP_PORT, groundTruthMaxBodyMb: e.GROUND_TRUTH_MAX_BODY_MB },
    dataDir: path.resolve(e.DATA_DIR),
    embeddedPostgresPort: e.EMBEDDED_PG_PORT,
    logLevel: e.LOG_LEVEL,
    dashboardTileUrl: e.DASHBOARD_TILE_URL,
    retention: { defaultDays: e.RETENTION_DEFAULT_DAYS, intervalS: e.RETENTION_INTERVAL_S },
    auth: {
      jwtSecret: e.JWT_SECRET,
      jwtTtlS: e.JWT_TTL_S,
      adminEmail: e.ADMIN_EMAIL,
      adminPassword: e.ADMIN_PASSWORD,
    },
  };
}

import path from 'node:path';
import { ConfigError, loadConfig } from './config.schema.js';

describe('loadConfig', () => {
  it('fills embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      databaseUrl: undefined,
      mqttUrl: undefined,
      mqtt: {
        host: '127.0.0.1',
        port: 1883,
        clientId: 'lookout-server',
        sessionExpiryS: 86400,
        sharedGroup: undefined,
        username: undefined,
        password: undefined,
      },
      http: { host: '127.0.0.1', port: 3000, groundTruthMaxBodyMb: 64 },
      dataDir: path.resolve('.data'),
      embeddedPostgresPort: 0,
      logLevel: 'log',
      dashboardTileUrl: undefined,
      retention: { defaultDays: 30, intervalS: 3600 },
      auth: {
        jwtSecret: undefined,
        jwtTtlS: 28800,
        adminEmail: 'admin@lookout.local',
        adminPassword: undefined,
      },
    });
  });

  it('reads external services and ports', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      MQTT_URL: 'mqtt://127.0.0.1:1883',
      HTTP_PORT: '8080',
      MQTT_PORT: '0',
      DATA_DIR: '/tmp/lookout',
    });
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(config.mqttUrl).toBe('mqtt://127.0.0.1:1883');
    expect(config.http.port).toBe(8080);
    expect(config.mqtt.port).toBe(0);
    expect(config.dataDir).toBe('/tmp/lookout');
  });

  it('treats an empty URL as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', MQTT_URL: ' ' }).databaseUrl).toBeUndefined();
  });

  it.each([
    ['HTTP_PORT', 'abc', 'HTTP_PORT must be a port number 0-65535, got "abc"'],
    ['MQTT_PORT', '70000', 'MQTT_PORT must be a port number 0-65535, got "70000"'],
    ['DATABASE_URL', 'mysql://x/y', 'DATABASE_URL must use postgres: or postgresql:, got "mysql:"'],
    ['DATABASE_URL', 'not a url', 'DATABASE_URL must be a URL like postgres://host:port, got "not a url"'],
    ['MQTT_URL', 'http://broker', 'MQTT_URL must use mqtt: or mqtts: or tcp: or ws: or wss:, got "http:"'],
    ['MQTT_SESSION_EXPIRY_S', '1h', 'MQTT_SESSION_EXPIRY_S must be a whole number of seconds'],
    ['JWT_SECRET', 'short', 'JWT_SECRET must be at least 32 characters'],
    ['ADMIN_PASSWORD', 'secret', 'ADMIN_PASSWORD must be at least 12 characters'],
    ['ADMIN_EMAIL', 'admin', 'ADMIN_EMAIL must be an e-mail address'],
    ['RETENTION_DEFAULT_DAYS', '0', 'RETENTION_DEFAULT_DAYS must be a positive whole number of days'],
    [
      'DASHBOARD_TILE_URL',
      'tiles.example',
      'DASHBOARD_TILE_URL must be an http(s) URL template with {z}, {x} and {y}',
    ],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of verbose, debug, log, warn, error'],
    ['MQTT_CLIENT_ID', 'a/b', 'MQTT_CLIENT_ID may contain only letters'],
  ])('rejects %s=%s naming the variable and what was expected', (variable, value, message) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(message);
  });

  it('reports every bad variable at once', () => {
    try {
      loadConfig({ HTTP_PORT: '-1', MQTT_PORT: 'x' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });
});

import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { EmbeddedBroker } from '../broker/embedded-broker.js';
import { EMBEDDED_BROKER, RUNTIME_CONFIG, type RuntimeConfig } from './config.tokens.js';

/**
 * Provides the configuration validated at boot to every module (nothing else reads process.env), and the
 * embedded broker when Lookout runs one.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: RuntimeConfig, embeddedBroker: EmbeddedBroker | null): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: RUNTIME_CONFIG, useValue: config },
        { provide: EMBEDDED_BROKER, useValue: embeddedBroker },
      ],
      exports: [RUNTIME_CONFIG, EMBEDDED_BROKER],
    };
  }
}

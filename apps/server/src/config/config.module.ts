import { type DynamicModule, Global, Module } from '@nestjs/common';
import { RUNTIME_CONFIG, type RuntimeConfig } from './config.tokens.js';

/** Provides the configuration validated at boot to every module; nothing else reads process.env. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: RuntimeConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: RUNTIME_CONFIG, useValue: config }],
      exports: [RUNTIME_CONFIG],
    };
  }
}

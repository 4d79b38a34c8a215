import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { EmbeddedBroker } from '../broker/embedded-broker.js';
import { EMBEDDED_BROKER } from '../config/config.tokens.js';
import { DevicesService } from './devices.service.js';

/**
 * Lets the embedded broker check device credentials against the database. An external broker enforces its
 * own credentials and ACL (see the README for the Mosquitto equivalent).
 */
@Injectable()
export class BrokerAuthService implements OnModuleInit {
  constructor(
    @Inject(EMBEDDED_BROKER) private readonly broker: EmbeddedBroker | null,
    private readonly devices: DevicesService,
  ) {}

  onModuleInit(): void {
    this.broker?.setDeviceAuthenticator((deviceId, password) =>
      this.devices.verifyCredential(deviceId, password),
    );
  }
}

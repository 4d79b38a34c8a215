import { EventEmitter } from 'node:events';
import { Injectable } from '@nestjs/common';
import type { DetectionEvent } from '../../../../libs/geofence/src/index.js';
import type { LiveDetection, LiveDeviceConnection, LiveFix } from '../../../../libs/telemetry/src/index.js';

/** Events that cross domains inside the server (ingest -> live gateway, later KPIs and downlink). */
export interface DomainEventMap {
  'fix.stored': LiveFix;
  /** Every detector event, with its flat summary (stored, sent to the device, shown live). */
  'detection.raised': { detection: LiveDetection; event: DetectionEvent };
  /** A device's connection state changed (stored in device_status_change). */
  'device.status': LiveDeviceConnection;
  /** A trial's devices changed (an enrolment or a session's device list): live rooms are re-read. */
  'trial.devices-changed': { trialId: string };
}

/** A typed in-process bus: event names and payloads are checked at compile time, never bare strings. */
@Injectable()
export class EventBus {
  private readonly emitter = new EventEmitter();

  emit<K extends keyof DomainEventMap>(name: K, payload: DomainEventMap[K]): void {
    this.emitter.emit(name, payload);
  }

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof DomainEventMap>(name: K, handler: (payload: DomainEventMap[K]) => void): () => void {
    this.emitter.on(name, handler);
    return () => this.emitter.off(name, handler);
  }
}

import { Injectable } from '@nestjs/common';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainErrorCode, DomainException } from '../common/domain.exception.js';
import { TrialAccess } from '../trials/trial-access.service.js';
import type { DetectionQuery, DeviceFilter, FixRangeQuery, Snapshot } from './live.dto.js';
import { LiveGateway } from './live.gateway.js';
import { type DeviceScope, LiveRepository } from './live.repository.js';

/** How far back the snapshot looks for alerts still waiting for an acknowledgement. */
export const OPEN_ALERTS_WINDOW_MS = 24 * 3600 * 1000;

/**
 * What the dashboard reads over REST: the snapshot it takes on (re)connect, stored detections and fixes for
 * replay, and acknowledgements. Suppliers are confined to their own devices; a trial out of scope is 404.
 */
@Injectable()
export class LiveService {
  constructor(
    private readonly repository: LiveRepository,
    private readonly access: TrialAccess,
    private readonly gateway: LiveGateway,
  ) {}

  private async scope(principal: Principal, filter: DeviceFilter): Promise<DeviceScope> {
    if (filter.trialId) await this.access.assertTrialVisible(principal, filter.trialId);
    return {
      supplierId: supplierScope(principal) ?? null,
      ...(filter.trialId ? { trialId: filter.trialId } : {}),
      ...(filter.deviceId ? { deviceId: filter.deviceId } : {}),
    };
  }

  async snapshot(principal: Principal, filter: DeviceFilter): Promise<Snapshot> {
    const scope = await this.scope(principal, filter);
    const atMs = Date.now();
    const [positions, statuses, connections, openDetections] = await Promise.all([
      this.repository.latestPositions(scope),
      this.repository.latestStatuses(scope),
      this.repository.latestConnections(scope),
      this.repository.openAlerts(scope, atMs - OPEN_ALERTS_WINDOW_MS),
    ]);
    return { atMs, positions, statuses, connections, openDetections };
  }

  async detections(principal: Principal, query: DetectionQuery) {
    return this.repository.detections(await this.scope(principal, query), query);
  }

  async fixes(principal: Principal, query: FixRangeQuery) {
    return this.repository.fixes(await this.scope(principal, query), query);
  }

  /** Managers acknowledge; the first acknowledgement is kept (409 after), and every dashboard is told. */
  async acknowledge(principal: Principal, detectionId: string) {
    const acknowledgement = await this.repository.acknowledge(detectionId, principal);
    if (!acknowledgement) {
      const existing = await this.repository.detection(detectionId);
      if (!existing) throw DomainException.notFound('detection', detectionId);
      throw new DomainException(
        DomainErrorCode.Conflict,
        `detection ${detectionId} was already acknowledged by ${existing.acknowledgement?.acknowledgedByEmail ?? 'someone'}`,
      );
    }
    await this.gateway.broadcastAcknowledgement(acknowledgement);
    return acknowledgement;
  }
}

import { Initial1763700000000 } from './1763700000000-initial.js';
import { DeadLetter1763700000001 } from './1763700000001-dead-letter.js';
import { TrialDomain1763700000002 } from './1763700000002-trial-domain.js';
import { DeviceEvent1763700000003 } from './1763700000003-device-event.js';
import { TimeSeries1763700000004 } from './1763700000004-time-series.js';
import { ZoneCheckPoints1763700000010 } from './1763700000010-zone-check-points.js';
import { DetectionEvent1763700000011 } from './1763700000011-detection-event.js';
import { DetectionAcknowledgement1763700000020 } from './1763700000020-detection-acknowledgement.js';
import { EvidenceReports1763700000030 } from './1763700000030-evidence-reports.js';
import { Challenges1763700000040 } from './1763700000040-challenges.js';
import { GroundTruth1763700000050 } from './1763700000050-ground-truth.js';
import { KpiMeasures1763700000060 } from './1763700000060-kpi-measures.js';
import { DeviceStatus1763700000090 } from './1763700000090-device-status.js';

/** Every migration, in order. Listed explicitly so the same list serves the built server and the tests. */
export const MIGRATIONS = [
  Initial1763700000000,
  DeadLetter1763700000001,
  TrialDomain1763700000002,
  DeviceEvent1763700000003,
  TimeSeries1763700000004,
  ZoneCheckPoints1763700000010,
  DetectionEvent1763700000011,
  DetectionAcknowledgement1763700000020,
  EvidenceReports1763700000030,
  Challenges1763700000040,
  GroundTruth1763700000050,
  KpiMeasures1763700000060,
  DeviceStatus1763700000090,
];

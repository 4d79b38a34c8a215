import type { CriteriaSet } from './trl.types.js';

/**
 * Exit criteria for trackside geofence wearables (worker safety devices), TRL 4 to 8 on the UK scale.
 * TRL 4 bench tests; 5 a surveyed test area; 6 a representative railway setting; 7 an operational trial
 * across track scenarios; 8 qualification tests plus acceptance.
 */
export const WEARABLE_SAFETY_CRITERIA: CriteriaSet = {
  id: 'wearable-safety-v1',
  name: 'Trackside geofence wearables (worker safety), TRL 4-8',
  scaleId: 'uk-trl',
  baselineLevel: 3,
  criteria: [
    {
      id: 'trl4.bench-geofence-logic',
      level: 4,
      title: 'Geofence logic passes bench tests',
      evidence: 'Replayed traces with ground truth: every crossing detected, no false alert.',
    },
    {
      id: 'trl4.bench-alert-output',
      level: 4,
      title: 'Alert output (vibration, tone) works on the bench',
      evidence: 'Bench measurement of alert onset after a breach.',
    },
    {
      id: 'trl4.power-budget',
      level: 4,
      title: 'Power budget estimated for a full shift',
      evidence: 'Measured current draw and battery capacity.',
    },
    {
      id: 'trl5.surveyed-area-accuracy',
      level: 5,
      title: 'Positioning accuracy measured in a surveyed test area',
      evidence: 'Fixes against surveyed check points: median, 95th percentile, max error.',
    },
    {
      id: 'trl5.surveyed-area-alerts',
      level: 5,
      title: 'Exits alerted within the required latency in the test area',
      evidence: 'Scored crossings with device and server latency.',
    },
    {
      id: 'trl6.railway-setting',
      level: 6,
      title: 'Works in a representative railway setting (cess, cutting, station)',
      evidence: 'Sessions at a representative site with measured KPIs per environment class.',
    },
    {
      id: 'trl6.configuration-recorded',
      level: 6,
      title: 'Configuration under test recorded and stable',
      evidence: 'Device configuration per session, no unexplained drift.',
    },
    {
      id: 'trl6.worker-feedback',
      level: 6,
      title: 'Worker feedback gathered on comfort and alert noticeability',
      evidence: 'Survey aggregate (groups of at least five).',
    },
    {
      id: 'trl7.operational-scenarios',
      level: 7,
      title: 'Operational trial across the track scenarios',
      evidence: 'Every planned scenario run at the operational site, crossings scored.',
    },
    {
      id: 'trl7.success-criteria',
      level: 7,
      title: "Trial's success criteria met",
      evidence: 'KPI snapshot sealed in the evidence log against the criteria fixed before the trial.',
    },
    {
      id: 'trl7.supplier-report-accepted',
      level: 7,
      title: "Supplier's trial report accepted",
      evidence: 'Accepted report version.',
    },
    {
      id: 'trl8.qualification-tests',
      level: 8,
      title: 'Qualification tests passed (EMC, ingress, environmental)',
      evidence: 'Test certificates.',
    },
    {
      id: 'trl8.acceptance',
      level: 8,
      title: 'Product acceptance granted for the configuration',
      evidence: 'Acceptance certificate naming the accepted configuration.',
    },
  ],
};

export const CRITERIA_SETS: readonly CriteriaSet[] = [WEARABLE_SAFETY_CRITERIA];

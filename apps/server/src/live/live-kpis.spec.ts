import type { LiveDetection } from '../../../../libs/telemetry/src/index.js';
import { LiveRoom, roomsOf, supplierInRooms } from './device-rooms.js';
import { alertKind, LiveKpis, RollingCounter } from './live-kpis.js';

const detection = (patch: Partial<LiveDetection>): LiveDetection => ({
  id: 'd',
  type: 'status',
  deviceId: 'a1',
  atMs: 0,
  detectedAtMs: 0,
  status: 'breach',
  previousStatus: 'safe',
  breachLevel: 'confirmed',
  cause: 'fix',
  rule: null,
  zone: null,
  fix: null,
  breachMarginM: null,
  chainageM: null,
  ...patch,
});

describe('RollingCounter', () => {
  it('counts over the window ending now, forgetting what fell out of it', () => {
    const counter = new RollingCounter(5_000, 12); // 60 s
    for (let t = 0; t < 60_000; t += 1_000) counter.add(t);
    expect(counter.total(59_999)).toBe(60);
    expect(counter.total(64_999)).toBe(55); // the first 5 s bucket left the window
    expect(counter.total(200_000)).toBe(0);
    counter.add(200_000);
    counter.add(130_000); // older than the window ending at the latest event: ignored
    expect(counter.total(200_000)).toBe(1);
    counter.add(196_000, 3); // late but inside the window
    expect(counter.total(200_000)).toBe(4);
  });
});

describe('LiveKpis', () => {
  const rooms = new Map<string, string[]>([
    ['a1', roomsOf({ supplierId: 'acme', trialIds: ['t1'] })],
    ['a2', roomsOf({ supplierId: 'acme', trialIds: [] })],
    ['b1', roomsOf({ supplierId: 'bolt', trialIds: ['t1'] })],
  ]);

  it('sums each room’s devices per supplier: reporting, fixes in the last minute, alerts, connection', () => {
    const kpis = new LiveKpis();
    const now = 1_000_000;
    for (let i = 0; i < 10; i++) kpis.fixReceived('a1', now - 50_000 + i * 5_000);
    kpis.fixReceived('a2', now - 45_000); // not reporting any more (older than 30 s)
    kpis.fixReceived('b1', now - 1_000);
    kpis.detection(detection({ deviceId: 'a1' }), now - 10_000);
    kpis.detection(detection({ deviceId: 'b1', type: 'crossing', status: null }), now - 5_000);
    kpis.detection(detection({ deviceId: 'b1', status: 'safe', previousStatus: 'breach' }), now - 4_000);
    kpis.connection('a2', false);
    const watched = new Set([
      LiveRoom.all,
      LiveRoom.supplier('acme'),
      LiveRoom.trial('t1'),
      LiveRoom.trialSupplier('t1', 'bolt'),
    ]);
    const frames = kpis.frames(now, watched, (id) => rooms.get(id)!, supplierInRooms);

    const all = frames.get(LiveRoom.all)!.suppliers;
    expect(all.find((s) => s.supplierId === 'acme')).toEqual({
      supplierId: 'acme',
      devices: 2,
      reporting: 1,
      online: 0,
      offline: 1,
      fixesLastMinute: 11,
      alertsLastHour: { breach: 1, crossing: 0, approaching: 0, lost: 0 },
    });
    expect(all.find((s) => s.supplierId === 'bolt')).toMatchObject({
      devices: 1,
      reporting: 1,
      fixesLastMinute: 1,
      alertsLastHour: { breach: 0, crossing: 1, approaching: 0, lost: 0 },
    });
    // A supplier's room holds that supplier only; a trial's room only the trial's devices.
    expect(frames.get(LiveRoom.supplier('acme'))!.suppliers.map((s) => s.supplierId)).toEqual(['acme']);
    expect(frames.get(LiveRoom.trial('t1'))!.suppliers.map((s) => [s.supplierId, s.devices])).toEqual([
      ['acme', 1],
      ['bolt', 1],
    ]);
    expect(frames.get(LiveRoom.trialSupplier('t1', 'bolt'))!.suppliers.map((s) => s.supplierId)).toEqual([
      'bolt',
    ]);
  });

  it('names the alert kinds as the feed does', () => {
    expect(alertKind(detection({ status: 'approaching', previousStatus: 'safe' }))).toBe('approaching');
    expect(alertKind(detection({ status: 'lost', previousStatus: 'safe', cause: 'silence' }))).toBe('lost');
    expect(alertKind(detection({ status: 'safe', previousStatus: 'unknown' }))).toBeUndefined();
    expect(alertKind(detection({ status: 'breach', previousStatus: 'breach' }))).toBeUndefined();
    expect(
      alertKind(detection({ type: 'fix-flagged', status: 'safe', previousStatus: 'safe' })),
    ).toBeUndefined();
  });
});

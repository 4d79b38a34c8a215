import { jest } from '@jest/globals';
import fc from 'fast-check';
import { benchNetworkOptions, deviceWalks, syntheticNetwork, walkFix } from '../bench/network.js';
import { GeofenceEngine, NO_EVENTS } from './geofence.engine.js';
import type { DetectionPolicy } from './geofence.policy.js';
import { ZoneValidationError } from './geofence.errors.js';
import type { CrossingEvent, DetectionEvent, FixInput, StatusEvent, ZoneInput } from './geofence.types.js';
import { metresPerDegreeLat, metresPerDegreeLon } from './projection.js';

// A danger zone whose west edge is the meridian 15.6°E, between 48.2° and 48.201°N.
const LON0 = 15.6;
const LAT = 48.2005;
const mLon = metresPerDegreeLon(LAT, 'wgs84');
const mLat = metresPerDegreeLat(LAT, 'wgs84');
/** Longitude `m` metres east of the danger edge (negative: west, outside). */
const east = (m: number): number => LON0 + m / mLon;

function rect(
  id: string,
  kind: 'safe' | 'danger',
  w: number,
  s: number,
  e: number,
  n: number,
  extra: Partial<ZoneInput> = {},
): ZoneInput {
  return {
    id,
    version: 1,
    kind,
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [w, s],
          [e, s],
          [e, n],
          [w, n],
          [w, s],
        ],
      ],
    },
    ...extra,
  };
}

const DANGER = rect('line', 'danger', LON0, 48.2, 15.601, 48.201);

function fix(t: number, metresEast: number, accuracyM = 1, extra: Partial<FixInput> = {}): FixInput {
  return { deviceId: 'w1', fixTimeMs: t, lon: east(metresEast), lat: LAT, accuracyM, ...extra };
}

function statuses(events: readonly DetectionEvent[]): string[] {
  return events
    .filter((e): e is StatusEvent => e.type === 'status')
    .map((e) => (e.breachLevel === null ? e.status : `${e.status}:${e.breachLevel}`));
}

/** An engine and its reference (`exactEveryFix`), both holding `zones`. */
function withReference(
  zones: readonly ZoneInput[],
  policy: Partial<DetectionPolicy> = {},
): { engine: GeofenceEngine; exact: GeofenceEngine } {
  const engine = new GeofenceEngine({ policy });
  const exact = new GeofenceEngine({ policy, exactEveryFix: true });
  for (const zone of zones) {
    engine.upsertZone(zone);
    exact.upsertZone(zone);
  }
  return { engine, exact };
}

function run(engine: GeofenceEngine, fixes: FixInput[]): DetectionEvent[] {
  return fixes.flatMap((f) => [...engine.processFix(f)]);
}

describe('state machine', () => {
  it('hysteresis: jitter across the boundary enters breach once and does not flap; leaving needs the exit margin and dwell', () => {
    const engine = new GeofenceEngine();
    engine.upsertZone(DANGER);
    const jitter = [-0.2, 0.2, -0.2, 0.3, -0.3, 0.1, -0.4].map((m, i) => fix(i * 1000, m));
    expect(statuses(run(engine, jitter))).toEqual(['approaching', 'breach:probable']);
    // Back 2 m outside: the de-escalation needs 3 fixes (or 3 s of fix time).
    const events = run(engine, [fix(7000, -2), fix(8000, -2), fix(9000, -2)]);
    expect(statuses(events)).toEqual(['approaching']);
    const last = events[0] as StatusEvent;
    expect(last.evidence?.fix.fixTimeMs).toBe(9000);
    expect(last.previousStatus).toBe('breach');
    expect(last.evidence?.thresholds.breachExitMarginM).toBe(0.5);
  });

  it('dwell is measured on fix time, not on arrival: a duration rule with sparse fixes', () => {
    const engine = new GeofenceEngine({ policy: { deescalateMinFixes: 100, deescalateMinDurationMs: 3000 } });
    engine.upsertZone(DANGER);
    run(engine, [fix(0, 1)]);
    // Fix times 1 s apart, delivered in one burst: only the fix 3 s after the first exit fix counts.
    const events = [fix(1000, -10), fix(2000, -10), fix(3000, -10), fix(4000, -10)].map((f) =>
      statuses(engine.processFix(f)),
    );
    expect(events).toEqual([[], [], [], ['safe']]);
  });

  it('accuracy: confirmed when the whole error circle is beyond the boundary, probable when only the centre is', () => {
    const engine = new GeofenceEngine();
    engine.upsertZone(DANGER);
    const confirmed = engine.processFix(fix(0, 2, 1))[0] as StatusEvent;
    expect(confirmed.status).toBe('breach');
    expect(confirmed.breachLevel).toBe('confirmed');
    expect(confirmed.evidence?.accuracyM).toBe(1);
    expect(confirmed.evidence?.breachMarginM).toBeCloseTo(2, 6);
    expect(confirmed.evidence?.signedDistanceM).toBeCloseTo(-2, 6);
    expect(confirmed.evidence?.decidingZone).toEqual({ zoneId: 'line', zoneVersion: 1, zoneKind: 'danger' });
    const other = new GeofenceEngine();
    other.upsertZone(DANGER);
    expect(statuses(other.processFix({ ...fix(0, 2, 5), deviceId: 'w2' }))).toEqual(['breach:probable']);
    // Policy: only confirmed breaches count; a probable one is a warning.
    const strict = new GeofenceEngine({ policy: { minBreachLevel: 'confirmed' } });
    strict.upsertZone(DANGER);
    expect(statuses(strict.processFix(fix(0, 2, 5)))).toEqual(['approaching']);
    expect(statuses(strict.processFix(fix(1000, 6, 5)))).toEqual(['breach:confirmed']);
  });

  it('crossing: a thin danger corridor crossed between two safe fixes is caught, with the interpolated time', () => {
    const engine = new GeofenceEngine();
    engine.upsertZone({
      id: 'track',
      version: 4,
      kind: 'danger',
      geometry: {
        type: 'Corridor',
        centreline: [
          [LON0, 48.19],
          [LON0, 48.21],
        ],
        halfWidthM: 1.5,
      },
    });
    run(engine, [fix(0, -10)]);
    const events = engine.processFix(fix(4000, 10));
    const crossing = events.find((e): e is CrossingEvent => e.type === 'crossing');
    expect(crossing).toBeDefined();
    expect(crossing?.rule).toBe('segment-enters-danger-zone');
    expect(crossing?.zone).toEqual({ zoneId: 'track', zoneVersion: 4, zoneKind: 'danger' });
    expect(crossing?.entryFraction).toBeCloseTo(8.5 / 20, 4);
    expect(crossing?.exitFraction).toBeCloseTo(11.5 / 20, 4);
    expect(crossing?.atMs).toBeCloseTo(1700, 0);
    expect(crossing?.from.fixTimeMs).toBe(0);
    expect(crossing?.to.fixTimeMs).toBe(4000);
    // Beyond the maximum gap the path is unknown: no crossing.
    expect(engine.processFix(fix(4000 + 31_000, -10)).some((e) => e.type === 'crossing')).toBe(false);
  });

  it('crossing: leaving the safe union between two safe fixes, but not across an edge shared by safe zones', () => {
    const engine = new GeofenceEngine();
    // A U-shaped work site: two arms joined in the south; the gap between the arms is outside.
    const w = 15.6;
    const u: ZoneInput = {
      id: 'site',
      version: 1,
      kind: 'safe',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [w, 48.2],
            [w + 0.0006, 48.2],
            [w + 0.0006, 48.201],
            [w + 0.0004, 48.201],
            [w + 0.0004, 48.2002],
            [w + 0.0002, 48.2002],
            [w + 0.0002, 48.201],
            [w, 48.201],
            [w, 48.2],
          ],
        ],
      },
    };
    engine.upsertZone(u);
    const at = (t: number, lon: number, lat: number): FixInput => ({
      deviceId: 'w1',
      fixTimeMs: t,
      lon,
      lat,
      accuracyM: 1,
    });
    run(engine, [at(0, w + 0.0001, 48.2008)]);
    const events = engine.processFix(at(2000, w + 0.0005, 48.2008));
    const crossing = events.find((e): e is CrossingEvent => e.type === 'crossing');
    expect(crossing?.rule).toBe('segment-leaves-safe-union');
    expect(crossing?.zone.zoneId).toBe('site');
    expect(crossing?.entryFraction).toBeCloseTo(0.25, 6);
    expect(crossing?.exitFraction).toBeCloseTo(0.75, 6);

    const two = new GeofenceEngine();
    two.upsertZone(rect('a', 'safe', 15.599, 48.2, 15.6, 48.201));
    two.upsertZone(rect('b', 'safe', 15.6, 48.2, 15.601, 48.201));
    run(two, [at(0, 15.5995, 48.2005)]);
    expect(two.processFix(at(2000, 15.6005, 48.2005)).some((e) => e.type === 'crossing')).toBe(false);
  });

  it('out-of-order fixes never change state; they are flagged with what they would have said', () => {
    const engine = new GeofenceEngine();
    engine.upsertZone(DANGER);
    run(engine, [fix(10_000, -20), fix(20_000, 5)]);
    expect(engine.getDevice('w1')?.status).toBe('breach');
    const events = engine.processFix(fix(15_000, -20));
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe('fix-flagged');
    const flagged = events[0] as Extract<DetectionEvent, { type: 'fix-flagged' }>;
    expect(flagged.reason).toBe('out-of-order');
    expect(flagged.lastProcessedFixTimeMs).toBe(20_000);
    expect(flagged.evaluation?.breach).toBe(false);
    expect(engine.getDevice('w1')?.status).toBe('breach');
    // Nor does an old fix in danger while the device is safe.
    const safe = new GeofenceEngine();
    safe.upsertZone(DANGER);
    run(safe, [fix(10_000, -20)]);
    expect(statuses(safe.processFix(fix(5_000, 5)))).toEqual([]);
    expect(safe.getDevice('w1')?.status).toBe('safe');
  });

  it('duplicates (same sequence or same fix time) are ignored', () => {
    const engine = new GeofenceEngine();
    engine.upsertZone(DANGER);
    expect(statuses(engine.processFix(fix(1000, -20, 1, { sequence: 7 })))).toEqual(['safe']);
    const bySequence = engine.processFix(fix(2000, 5, 1, { sequence: 7 }));
    expect(bySequence.map((e) => e.type === 'fix-flagged' && e.reason)).toEqual(['duplicate']);
    const byTime = engine.processFix(fix(1000, 5, 1, { sequence: 8 }));
    expect(byTime.map((e) => e.type === 'fix-flagged' && e.reason)).toEqual(['duplicate']);
    expect(engine.getDevice('w1')?.status).toBe('safe');
    expect(statuses(engine.processFix(fix(3000, 5, 1, { sequence: 9 })))).toEqual(['breach:confirmed']);
  });

  it('lost: tick(now) raises lost once after the silence limit; the next fix re-evaluates', () => {
    const engine = new GeofenceEngine({ policy: { lostAfterMs: 10_000 } });
    engine.upsertZone(DANGER);
    run(engine, [fix(0, -20)]);
    expect(engine.tick(10_000)).toBe(NO_EVENTS);
    const lost = engine.tick(10_001);
    expect(statuses(lost)).toEqual(['lost']);
    expect((lost[0] as StatusEvent).silenceMs).toBe(10_001);
    expect((lost[0] as StatusEvent).lastFix?.fixTimeMs).toBe(0);
    expect(engine.tick(20_000)).toHaveLength(0);
    const back = engine.processFix(fix(21_000, -20));
    expect(statuses(back)).toEqual(['safe']);
    expect((back[0] as StatusEvent).previousStatus).toBe('lost');
  });

  it('a validity window opening or closing re-evaluates devices on tick(now), and a late fix cannot undo it', () => {
    const engine = new GeofenceEngine();
    engine.upsertZone({ ...DANGER, validity: [{ startMs: 10_000, endMs: 20_000 }] });
    expect(statuses(run(engine, [fix(5_000, 5)]))).toEqual(['safe']);
    engine.tick(6_000);
    const opened = engine.tick(10_000);
    expect(statuses(opened)).toEqual(['breach:confirmed']);
    expect((opened[0] as StatusEvent).cause).toBe('window-change');
    expect((opened[0] as StatusEvent).atMs).toBe(10_000);
    // A fix taken before the opening but processed after it is evaluated at the later time.
    expect(statuses(engine.processFix(fix(9_500, 5)))).toEqual([]);
    const closed = engine.tick(20_000);
    expect(statuses(closed)).toEqual(['safe']);
    expect((closed[0] as StatusEvent).previousStatus).toBe('breach');
  });

  it('daily windows: active between the minutes given, every day', () => {
    const engine = new GeofenceEngine();
    // 22:00–06:00 UTC+1 (a night possession of the line: danger only by day here, inverted on purpose).
    engine.upsertZone({
      ...DANGER,
      validity: [{ daily: { startMinute: 22 * 60, endMinute: 6 * 60 }, utcOffsetMinutes: 60 }],
    });
    const day = Date.UTC(2026, 0, 5);
    expect(engine.query(east(5), LAT, { atMs: day + 12 * 3600_000 }).breach).toBe(false);
    expect(engine.query(east(5), LAT, { atMs: day + 22 * 3600_000 }).breach).toBe(true); // 23:00 local
    expect(engine.query(east(5), LAT, { atMs: day + 4 * 3600_000 }).breach).toBe(true); // 05:00 local
    expect(engine.query(east(5), LAT, { atMs: day + 5 * 3600_000 }).breach).toBe(false); // 06:00 local
  });

  it('zone update: adding, moving and removing a zone re-evaluates affected devices immediately', () => {
    const engine = new GeofenceEngine();
    run(engine, [fix(0, 5), { ...fix(0, 5), deviceId: 'far', lat: 48.3 }]);
    expect(engine.getDevice('w1')?.status).toBe('safe');
    const added = engine.upsertZone(DANGER, 1000);
    expect(statuses(added)).toEqual(['breach:confirmed']);
    expect((added[0] as StatusEvent).cause).toBe('zone-change');
    expect((added[0] as StatusEvent).deviceId).toBe('w1');
    // Version 2 moves the zone 50 m east: the device is now 45 m outside it.
    const moved = engine.upsertZone(
      { ...rect('line', 'danger', east(50), 48.2, 15.602, 48.201), version: 2 },
      2000,
    );
    expect(statuses(moved)).toEqual(['safe']);
    expect((moved[0] as StatusEvent).evidence?.decidingZone?.zoneVersion).toBe(2);
    expect(() => engine.upsertZone({ ...DANGER, version: 1 })).toThrow(ZoneValidationError);
    expect(engine.getZone('line')?.zoneVersion).toBe(2);
    // A new safe zone elsewhere makes the safe union a constraint for everyone it applies to.
    const site = engine.upsertZone(rect('site', 'safe', 15.61, 48.2, 15.611, 48.201), 3000);
    expect(statuses(site).sort()).toEqual(['breach:confirmed', 'breach:confirmed']);
    expect(statuses(engine.removeZone('site', 4000)).sort()).toEqual(['safe', 'safe']);
  });

  it('a confirmed breach far from every boundary is kept from bounds alone, with the same answers', () => {
    // A safe walkway east of the danger zone; the device stands 20-30 m west of everything.
    const engine = new GeofenceEngine();
    engine.upsertZone(DANGER);
    engine.upsertZone(rect('walk', 'safe', 15.601, 48.2, 15.6011, 48.201));
    engine.upsertZone(rect('yard', 'safe', 15.5, 48.2, 15.5001, 48.201)); // ~7 km west: never the nearest
    expect(statuses(engine.processFix(fix(0, -30, 2)))).toEqual(['breach:confirmed']);
    // Walking (1 m per fix) stays confirmed: no event, and no exact distance is needed for that.
    for (let t = 1; t <= 8; t++) expect(engine.processFix(fix(t * 1000, -30 + t, 2))).toBe(NO_EVENTS);
    // The deciding zone is still exact when asked for: the nearest safe zone.
    expect(engine.getDevice('w1')?.decidingZone?.zoneId).toBe('walk');
    expect(engine.processFix(fix(9000, -21, 2))).toBe(NO_EVENTS);
    // Moving that safe zone right under the device re-evaluates it at once (it is the deciding zone).
    const moved = engine.upsertZone(
      { ...rect('walk', 'safe', east(-40), 48.2, 15.601, 48.201), version: 2 },
      10_000,
    );
    expect(statuses(moved)).toEqual(['safe']);
    // Back out beyond it and then inside the danger zone: every event carries exact evidence.
    const out = engine.upsertZone(
      { ...rect('walk', 'safe', 15.601, 48.2, 15.6011, 48.201), version: 3 },
      11_000,
    );
    expect(statuses(out)).toEqual(['breach:confirmed']);
    const exact = (out[0] as StatusEvent).evidence;
    expect(exact?.decidingZone?.zoneId).toBe('walk');
    expect(exact?.signedDistanceM).toBeCloseTo(21 + 0.001 * mLon, 6);
    // Into the middle of the walkway: safe ground again, after the de-escalation dwell (3 fixes).
    const walkway = east(0.00105 * mLon);
    const back = run(
      engine,
      [12_000, 13_000, 14_000].map((t) => ({ ...fix(t, 0, 1), lon: walkway })),
    );
    expect(statuses(back)).toEqual(['approaching']);
    expect((back[0] as StatusEvent).evidence?.breachMarginM).toBeCloseTo(-0.00005 * mLon, 6);
  });

  it('a confirmed breach across a danger edge is kept from bounds alone, with the same answers', () => {
    // The safe walkway is 20-40 m west of the danger edge; the device walks within 2 m of that
    // edge, on both sides, with 5 m accuracy: a danger boundary within the accuracy, the nearest
    // safe one beyond it (the margin is at least that distance, inside the danger zone too).
    const engine = new GeofenceEngine();
    engine.upsertZone(DANGER);
    engine.upsertZone(rect('walk', 'safe', east(-40), 48.2, east(-20), 48.201));
    expect(statuses(engine.processFix(fix(0, -1.5, 5)))).toEqual(['breach:confirmed']);
    const offsets = [-1.2, -1.8, 1.5, 2, -0.5, -1.1];
    offsets.forEach((m, i) => expect(engine.processFix(fix((i + 1) * 1000, m, 5))).toBe(NO_EVENTS));
    expect(engine.getDevice('w1')?.decidingZone?.zoneId).toBe('walk');
    // Within the accuracy of the walkway: de-escalates to probable after the dwell, with exact evidence.
    const near = run(
      engine,
      [7000, 8000, 9000].map((t) => fix(t, -17, 5)),
    );
    expect(statuses(near)).toEqual(['breach:probable']);
    const evidence = (near[0] as StatusEvent).evidence;
    expect(evidence?.decidingZone?.zoneId).toBe('walk');
    expect(evidence?.signedDistanceM).toBeCloseTo(3, 6);
    // Probable while the walkway stays within the accuracy (outside every zone): no event.
    [-16.5, -17.5, -18, -17.2].forEach((m, i) =>
      expect(engine.processFix(fix(10_000 + i * 1000, m, 5))).toBe(NO_EVENTS),
    );
    expect(engine.getDevice('w1')?.decidingZone?.zoneId).toBe('walk');
    // Beyond the accuracy again: confirmed at once, with exact evidence.
    const far = engine.processFix(fix(14_000, -10, 5));
    expect(statuses(far)).toEqual(['breach:confirmed']);
    expect((far[0] as StatusEvent).evidence?.signedDistanceM).toBeCloseTo(10, 6);
  });

  it('a worker walking inside a walkway is kept from the last exact evaluation, with the same answers', () => {
    // A 3 m walkway sharing the danger zone's west edge, and a wide yard west of it. The worker walks
    // north (0.3 m a fix) along the walkway's middle, 1.5 m from both edges: approaching, then steps
    // into the yard's middle (safe after the 3-fix de-escalation dwell), then back.
    const zones = [
      DANGER,
      rect('walk', 'safe', east(-3), 48.2, LON0, 48.201),
      rect('yard', 'safe', east(-43), 48.2, east(-3), 48.201),
    ];
    const north = (i: number): number => 48.2002 + (0.3 * i) / mLat;
    const fixes: FixInput[] = [];
    for (let i = 0; i < 12; i++) fixes.push({ ...fix(i * 1000, -1.5, 1 + (i % 3)), lat: north(i) });
    for (let i = 12; i < 20; i++) fixes.push({ ...fix(i * 1000, -23, 2), lat: north(i) });
    for (let i = 20; i < 24; i++) fixes.push({ ...fix(i * 1000, -1.5, 2), lat: north(i) });

    const { engine, exact } = withReference(zones);
    const evaluatePoint = jest.spyOn(engine as unknown as { evaluatePoint: () => boolean }, 'evaluatePoint');
    const events: DetectionEvent[] = [];
    fixes.forEach((f, i) => {
      const mine = engine.processFix(f);
      // Same events (exact evidence included) and the same deciding zone on request, fix by fix.
      expect(mine).toEqual(exact.processFix(f));
      expect(engine.getDevice('w1')).toEqual(exact.getDevice('w1'));
      events.push(...mine);
      if (i === 5) expect(engine.getDevice('w1')?.decidingZone?.zoneId).toBe('line');
    });
    expect(statuses(events)).toEqual(['approaching', 'safe', 'approaching']);
    // Geometry was evaluated for fewer fixes than were processed (getDevice evaluates once per call).
    const forFixes = evaluatePoint.mock.calls.length - fixes.length;
    expect(forFixes).toBeLessThan(fixes.length - 6);
    // The dwell moved on through fixes settled without geometry: safe came on the 3rd yard fix.
    const safe = events.find((e): e is StatusEvent => e.type === 'status' && e.status === 'safe');
    expect(safe?.atMs).toBe(14_000);
    expect(safe?.evidence?.decidingZone?.zoneId).toBe('yard');
    expect(safe?.evidence?.signedDistanceM).toBeCloseTo(-20, 3);
  });

  it('a hop across a thin danger strip between two safe fixes is always tested (the skip is only for clear paths)', () => {
    // A wide safe yard with a danger strip 0.2-2 m wide down its middle; a worker hops from one side
    // to the other and back, 0.2-6 m from the strip, one fix a second: every hop crosses the strip.
    // The skip of the crossing test (a path inside two boundary-free discs) must never hide one.
    fc.assert(
      fc.property(
        fc.double({ min: 0.2, max: 2, noNaN: true }),
        fc.array(
          fc.tuple(fc.double({ min: 0.2, max: 6, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true })),
          {
            minLength: 4,
            maxLength: 12,
          },
        ),
        (widthM, hops) => {
          const zones = [
            rect('yard', 'safe', east(-60), 48.2, east(60), 48.201),
            rect('strip', 'danger', LON0, 48.2, east(widthM), 48.201),
          ];
          const { engine, exact } = withReference(zones);
          let crossings = 0;
          hops.forEach(([distanceM, northM], i) => {
            const side = i % 2 === 0 ? -distanceM : widthM + distanceM;
            const f = { ...fix(i * 1000, side, 0.5), lat: LAT + northM / mLat };
            const mine = engine.processFix(f);
            expect(mine).toEqual(exact.processFix(f));
            crossings += mine.filter((e) => e.type === 'crossing').length;
          });
          // Every hop after the first crossed the strip between two fixes off it.
          expect(crossings).toBe(hops.length - 1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the shortcuts (certificates, lazy judgement) give the answers of evaluating every fix exactly', () => {
    // Generated rail-like networks and device walks (jittering offsets, jumps across boundaries,
    // accuracy 1-10 m scaled), under several policies, with zone updates, removals and ticks.
    const policies: Partial<DetectionPolicy>[] = [
      {},
      { minBreachLevel: 'confirmed' },
      { requireSafeZone: true, escalateMinFixes: 2 },
      { deescalateMinFixes: 1, breachExitMarginM: 0 },
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom(...policies),
        fc.constantFrom(0.4, 1, 2.5),
        (seed, policy, accuracyScale) => {
          const network = syntheticNetwork(benchNetworkOptions(8, seed));
          const devices = 20;
          const count = 2000;
          const walks = deviceWalks(network, count, devices, seed);
          const ids = Array.from({ length: devices }, (_, d) => `dev-${d}`);
          const { engine, exact } = withReference(network.zones, policy);
          for (let i = 0; i < count; i++) {
            const f = walkFix(walks, ids, i);
            f.accuracyM *= accuracyScale;
            expect(engine.processFix(f)).toEqual(exact.processFix(f));
            if (i % 500 === 250) {
              const zone = network.zones[(i + seed) % network.zones.length]!;
              const update = { ...zone, version: zone.version + i };
              expect(engine.upsertZone(update, f.fixTimeMs)).toEqual(exact.upsertZone(update, f.fixTimeMs));
            }
            if (i === 1500) {
              const id = network.zones[seed % network.zones.length]!.id;
              expect(engine.removeZone(id, f.fixTimeMs)).toEqual(exact.removeZone(id, f.fixTimeMs));
            }
            if (i % 200 === 0) expect(engine.tick(f.fixTimeMs)).toEqual(exact.tick(f.fixTimeMs));
          }
          for (const id of ids) expect(engine.getDevice(id)).toEqual(exact.getDevice(id));
        },
      ),
      { numRuns: 12 },
    );
  });

  it('applicability: a zone for a group ignores other devices', () => {
    const engine = new GeofenceEngine();
    engine.upsertZone({ ...DANGER, appliesTo: { groups: ['lookouts'] } });
    expect(statuses(engine.processFix(fix(0, 5)))).toEqual(['safe']);
    expect(statuses(engine.processFix({ ...fix(0, 5), deviceId: 'w2', groups: ['lookouts'] }))).toEqual([
      'breach:confirmed',
    ]);
  });

  it('replaying the same inputs gives the same events', () => {
    const script = (): DetectionEvent[] => {
      const engine = new GeofenceEngine();
      const events: DetectionEvent[] = [];
      events.push(...engine.upsertZone(DANGER));
      events.push(...engine.upsertZone(rect('site', 'safe', 15.599, 48.2, LON0, 48.201)));
      let seed = 42;
      const rand = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
      for (let i = 0; i < 500; i++) {
        const device = `w${i % 5}`;
        events.push(
          ...engine.processFix({
            ...fix(i * 700 + (i % 3) * -900, (rand() - 0.5) * 40, 1 + rand() * 5),
            deviceId: device,
            sequence: i,
          }),
        );
        if (i % 50 === 0) events.push(...engine.tick(i * 700));
      }
      return events;
    };
    const a = script();
    expect(a.length).toBeGreaterThan(20);
    expect(script()).toEqual(a);
  });

  it('allocates no event array when nothing happens (shared frozen NO_EVENTS)', () => {
    const engine = new GeofenceEngine();
    engine.upsertZone(DANGER);
    engine.processFix(fix(0, -20));
    expect(engine.processFix(fix(1000, -20))).toBe(NO_EVENTS);
    expect(Object.isFrozen(NO_EVENTS)).toBe(true);
  });

  it('invalid fixes are flagged, not thrown', () => {
    const engine = new GeofenceEngine();
    const events = engine.processFix({
      deviceId: 'w1',
      fixTimeMs: 0,
      lon: Number.NaN,
      lat: 48,
      accuracyM: 1,
    });
    expect(events.map((e) => e.type === 'fix-flagged' && e.reason)).toEqual(['invalid']);
  });

  it('status queries report the deciding zone and metres for a given point', () => {
    const engine = new GeofenceEngine();
    engine.upsertZone(DANGER);
    const r = engine.query(east(-1), LAT + 1 / mLat, { atMs: 0 });
    expect(r.breach).toBe(false);
    expect(r.signedDistanceM).toBeCloseTo(1, 6);
    expect(r.nearestBoundary?.zoneId).toBe('line');
  });
});

import { readFile } from 'node:fs/promises';
import type { MqttClient } from 'mqtt';
import { deviceTopic, type LiveBreach, type LiveFix } from '../libs/telemetry/src/index.js';
import type { LookoutRuntime } from '../apps/server/src/lookout.js';
import { fixPayload } from './support/fixtures.js';
import {
  connectDevice,
  connectLive,
  eventually,
  login,
  registerDevice,
  runId,
  sql,
  startTestLookout,
  type LiveClient,
  external,
} from './support/harness.js';

type Json = Record<string, unknown> & { issues?: { path: string; message: string }[]; message?: string };
type Position = [number, number];

/** A closed rectangle ring, west/south/east/north in degrees. */
const rect = (west: number, south: number, east: number, north: number): Position[] => [
  [west, south],
  [east, south],
  [east, north],
  [west, north],
  [west, south],
];
const polygon = (...rings: Position[][]) => ({ type: 'Polygon', coordinates: rings });

// Around (-2.3, 53.5): away from every other suite's zones. 0.001° of longitude is ~66 m here.
const SITE = rect(-2.301, 53.4995, -2.299, 53.5005);
const SMALLER = rect(-2.3005, 53.4998, -2.2995, 53.5002);
const CENTRE = { lon: -2.3, lat: 53.5 };
/** Inside SITE by ~13 m, ~20 m east of SMALLER's east edge. */
const EAST_STRIP = { lon: -2.2992, lat: 53.5 };

const provenance = (author = 'A. Surveyor') => ({
  source: 'survey',
  author,
  method: 'RTK GNSS, OSTN15',
  notes: 'walked the cess',
});

describe(`zones end to end (${external ? 'DATABASE_URL + MQTT_URL' : 'embedded PostgreSQL + aedes'})`, () => {
  let runtime: LookoutRuntime;
  let token: string;
  let trialId: string;
  const run = runId();
  // Every zone here applies only to this run's tag or device, so no other suite's device is affected.
  const tag = `zones-${run}`;

  async function api(method: string, path: string, body?: unknown, bearer = token) {
    const response = await fetch(`${runtime.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as Json };
  }

  async function createTrial(name: string): Promise<string> {
    const created = await api('POST', '/trials', { name: `${name} ${run}`, sponsor: 'Network Rail' });
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  const zoneBody = (extra: Record<string, unknown> = {}) => ({
    name: `Worksite ${run}`,
    trialId,
    kind: 'safe',
    geometry: polygon(SITE),
    appliesTo: [tag],
    provenance: provenance(),
    ...extra,
  });

  const versionBody = (extra: Record<string, unknown> = {}) => ({
    kind: 'safe',
    geometry: polygon(SITE),
    appliesTo: [tag],
    provenance: provenance(),
    ...extra,
  });

  beforeAll(async () => {
    runtime = await startTestLookout({ external });
    token = await login(runtime);
    trialId = await createTrial('Zones trial');
  });

  afterAll(async () => {
    await runtime?.close();
  });

  describe('create, read, version, list', () => {
    let zoneId: string;
    const created: Json[] = [];

    it('creates a zone and its version 1 with provenance and windows, and reads it back', async () => {
      const windows = [
        { from: '2025-03-01T23:00:00+01:00', to: '2025-03-02T06:00:00+01:00' },
        { from: '2025-03-08T22:00:00Z', to: null },
      ];
      const response = await api('POST', '/zones', zoneBody({ windows }));
      expect(response.status).toBe(201);
      zoneId = response.body.id as string;
      expect(response.body).toMatchObject({
        name: `Worksite ${run}`,
        trialId,
        siteId: null,
        currentVersion: 1,
        version: {
          zoneId,
          version: 1,
          kind: 'safe',
          geometry: polygon(SITE),
          halfWidthM: null,
          appliesTo: [tag],
          windows: [
            { from: '2025-03-01T22:00:00.000Z', to: '2025-03-02T05:00:00.000Z' },
            { from: '2025-03-08T22:00:00.000Z', to: null },
          ],
          provenance: { ...provenance(), createdBy: expect.any(String) },
        },
      });
      created.push(response.body);
      const read = await api('GET', `/zones/${zoneId}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(response.body);
      expect((await api('GET', `/zones/${crypto.randomUUID()}`)).status).toBe(404);
    });

    it('publishes new immutable versions with their own provenance; old versions stay as they were', async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const v2 = await api(
        'PUT',
        `/zones/${zoneId}`,
        versionBody({ geometry: polygon(SMALLER), provenance: provenance('B. Drafter') }),
      );
      expect(v2.status).toBe(200);
      expect(v2.body).toMatchObject({
        id: zoneId,
        currentVersion: 2,
        version: { version: 2, geometry: polygon(SMALLER) },
      });
      created.push(v2.body);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const v3 = await api(
        'PUT',
        `/zones/${zoneId}`,
        versionBody({ kind: 'danger', provenance: { ...provenance('C. Importer'), source: 'drawing' } }),
      );
      expect(v3.status).toBe(200);
      created.push(v3.body);

      const versions = await api('GET', `/zones/${zoneId}/versions`);
      expect(versions.status).toBe(200);
      const list = versions.body as unknown as Json[];
      expect(
        list.map((v) => [v.version, v.kind, (v.provenance as Json).author, (v.provenance as Json).source]),
      ).toEqual([
        [1, 'safe', 'A. Surveyor', 'survey'],
        [2, 'safe', 'B. Drafter', 'survey'],
        [3, 'danger', 'C. Importer', 'drawing'],
      ]);
      expect(list[0]).toEqual(created[0]!.version);
      const one = await api('GET', `/zones/${zoneId}/versions/2`);
      expect(one.body).toEqual(created[1]!.version);
      expect((await api('GET', `/zones/${zoneId}/versions/9`)).status).toBe(404);
      expect((await api('GET', `/zones/${zoneId}`)).body).toMatchObject({
        currentVersion: 3,
        version: { version: 3 },
      });
    });

    it('lists zones by trial, with the version current then when asOf is given', async () => {
      const versionAt = async (asOf?: string) => {
        const query = new URLSearchParams({ trialId, ...(asOf ? { asOf } : {}) });
        const response = await api('GET', `/zones?${query}`);
        expect(response.status).toBe(200);
        const items = response.body.items as Json[];
        const zone = items.find((item) => item.id === zoneId);
        return zone ? (zone.version as Json).version : undefined;
      };
      const createdAt = (i: number) => (created[i]!.version as Json).createdAt as string;
      expect(await versionAt()).toBe(3);
      expect(await versionAt(createdAt(0))).toBe(1);
      expect(await versionAt(new Date(Date.parse(createdAt(1)) - 1).toISOString())).toBe(1);
      expect(await versionAt(createdAt(1))).toBe(2);
      expect(await versionAt(createdAt(2))).toBe(3);
      // Before version 1 the zone did not exist.
      expect(await versionAt(new Date(Date.parse(createdAt(0)) - 1).toISOString())).toBeUndefined();

      const page = await api('GET', `/zones?trialId=${trialId}&limit=1&offset=0`);
      expect(page.body).toMatchObject({ limit: 1, offset: 0, total: expect.any(Number) });
      expect(page.body.items).toHaveLength(1);
    });

    it('places a zone on a site, which implies its trial', async () => {
      const site = await api('POST', '/sites', {
        trialId,
        name: `Stockport ${run}`,
        route: 'North West',
        elr: 'MAS',
        mileageFrom: 5.2,
        mileageTo: 5.6,
        environment: 'open',
      });
      expect(site.status).toBe(201);
      const siteId = site.body.id as string;
      const response = await api(
        'POST',
        '/zones',
        zoneBody({ trialId: null, siteId, name: `On site ${run}` }),
      );
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ trialId, siteId });
      const listed = await api('GET', `/zones?siteId=${siteId}`);
      expect((listed.body.items as Json[]).map((zone) => zone.id)).toEqual([response.body.id]);

      const otherTrial = await createTrial('Other trial');
      const mismatch = await api('POST', '/zones', zoneBody({ trialId: otherTrial, siteId }));
      expect(mismatch.status).toBe(400);
      expect(mismatch.body.issues).toEqual([
        { path: 'siteId', message: `site ${siteId} belongs to trial ${trialId}, not to trial ${otherTrial}` },
      ]);
    });
  });

  describe('check points', () => {
    let zoneId: string;
    const point = (
      name: string,
      at: { lon: number; lat: number },
      expected: 'inside' | 'outside',
      accuracyM = 0.05,
    ) => ({
      name,
      ...at,
      expected,
      surveyedBy: 'A. Surveyor',
      surveyedAt: '2025-03-01T10:00:00Z',
      accuracyM,
    });

    beforeAll(async () => {
      const response = await api('POST', '/zones', zoneBody({ name: `Checked ${run}` }));
      zoneId = response.body.id as string;
    });

    it('adds check points the current version agrees with, and lists them with their distances', async () => {
      const added = await api(
        'POST',
        `/zones/${zoneId}/check-points`,
        point('CP1 east strip', EAST_STRIP, 'inside'),
      );
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({
        name: 'CP1 east strip',
        expected: 'inside',
        surveyedAt: '2025-03-01T10:00:00.000Z',
        accuracyM: 0.05,
        current: { version: 1, agrees: true },
      });
      expect((added.body.current as Json).signedDistanceM).toBeLessThan(-10);
      const outside = { lon: -2.3, lat: 53.5015 };
      expect(
        (await api('POST', `/zones/${zoneId}/check-points`, point('CP2 signal', outside, 'outside'))).status,
      ).toBe(201);
      const listed = await api('GET', `/zones/${zoneId}/check-points`);
      expect((listed.body as unknown as Json[]).map((p) => [p.name, (p.current as Json).agrees])).toEqual([
        ['CP1 east strip', true],
        ['CP2 signal', true],
      ]);
    });

    it('refuses a check point the current version contradicts, naming the point', async () => {
      const outsideSite = { lon: -2.2985, lat: 53.5 };
      const refused = await api(
        'POST',
        `/zones/${zoneId}/check-points`,
        point('CP3 cess gate', outsideSite, 'inside'),
      );
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(
        /check point "CP3 cess gate" \(-2\.2985, 53\.5\) should be inside but is 33\.\d+ m outside version 1$/,
      );
      // Inside, but closer to the edge than its accuracy: refused too.
      const nearEdge = { lon: -2.29905, lat: 53.5 };
      const close = await api(
        'POST',
        `/zones/${zoneId}/check-points`,
        point('CP4 fence', nearEdge, 'inside', 5),
      );
      expect(close.status).toBe(409);
      expect(close.body.message).toMatch(
        /"CP4 fence" .* should be inside by at least its accuracy 5 m but is only 3\.\d+ m inside/,
      );
      const duplicate = await api(
        'POST',
        `/zones/${zoneId}/check-points`,
        point('CP1 east strip', CENTRE, 'inside'),
      );
      expect(duplicate.status).toBe(409);
      const listed = await api('GET', `/zones/${zoneId}/check-points`);
      expect(listed.body).toHaveLength(2);
    });

    it('refuses to publish a version that contradicts a check point, naming the point; nothing changes', async () => {
      const refused = await api('PUT', `/zones/${zoneId}`, versionBody({ geometry: polygon(SMALLER) }));
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(
        /^version 2 of zone "Checked .*" contradicts 1 of its check points: check point "CP1 east strip" \(-2\.2992, 53\.5\) should be inside but is 19\.\d+ m outside version 2$/,
      );
      expect(refused.body.issues).toEqual([
        { path: 'geometry', message: expect.stringContaining('"CP1 east strip"') },
      ]);
      expect((await api('GET', `/zones/${zoneId}`)).body).toMatchObject({ currentVersion: 1 });
      expect(await api('GET', `/zones/${zoneId}/versions`)).toMatchObject({ body: [{ version: 1 }] });
      // A version that keeps both points on their sides is published.
      const accepted = await api(
        'PUT',
        `/zones/${zoneId}`,
        versionBody({ geometry: polygon(rect(-2.3012, 53.4994, -2.2985, 53.5006)) }),
      );
      expect(accepted.status).toBe(200);
    });
  });

  describe('import', () => {
    let importTrial: string;
    const zonesOf = async (id: string) =>
      ((await api('GET', `/zones?trialId=${id}`)).body.items as Json[]).map((z) => z.name);
    const importBody = (format: 'kml' | 'geojson', content: string, fileName: string) => ({
      trialId: importTrial,
      format,
      fileName,
      content,
      defaults: {
        appliesTo: [tag],
        provenance: { author: 'D. Planner', notes: 'possession P42 pack, issue 3' },
      },
    });

    beforeAll(async () => {
      importTrial = await createTrial('Import trial');
    });

    it('imports a KML file: a polygon placemark and a LineString corridor', async () => {
      const content = await readFile(new URL('./fixtures/zones/possession-p42.kml', import.meta.url), 'utf8');
      const response = await api('POST', '/zones/import', importBody('kml', content, 'possession-p42.kml'));
      expect(response.status).toBe(201);
      const created = response.body.created as Json[];
      expect(
        created.map((zone) => [zone.name, (zone.version as Json).kind, (zone.version as Json).halfWidthM]),
      ).toEqual([
        ['Worksite A cess', 'safe', null],
        ['Up Fast open line', 'danger', 2.5],
      ]);
      expect(created[1]!.version).toMatchObject({
        geometry: {
          type: 'LineString',
          coordinates: [
            [-2.201, 53.4006],
            [-2.2, 53.40062],
            [-2.199, 53.40065],
          ],
        },
        appliesTo: [tag],
        provenance: {
          source: 'import',
          author: 'D. Planner',
          method: 'KML import of "possession-p42.kml", feature 1',
          notes: 'possession P42 pack, issue 3',
        },
      });
      const read = await api('GET', `/zones/${created[0]!.id as string}`);
      expect(read.body).toEqual(created[0]);
    });

    it('imports a GeoJSON FeatureCollection, and imports nothing when any feature is bad', async () => {
      const content = await readFile(new URL('./fixtures/zones/worksite-b.geojson', import.meta.url), 'utf8');
      const good = await api('POST', '/zones/import', importBody('geojson', content, 'worksite-b.geojson'));
      expect(good.status).toBe(201);
      expect((good.body.created as Json[]).map((zone) => (zone.version as Json).geometry)).toMatchObject([
        { type: 'Polygon' },
        { type: 'MultiPolygon' },
      ]);
      const before = await zonesOf(importTrial);

      const collection = JSON.parse(content) as { features: Record<string, unknown>[] };
      collection.features.push(
        {
          type: 'Feature',
          properties: { name: 'Open ring', kind: 'safe' },
          geometry: polygon(SITE.slice(0, 4)),
        },
        {
          type: 'Feature',
          properties: { name: 'Signal SP123' },
          geometry: { type: 'Point', coordinates: [-2.3, 53.5] },
        },
      );
      const bad = await api(
        'POST',
        '/zones/import',
        importBody('geojson', JSON.stringify(collection), 'bad.geojson'),
      );
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/^2 of 4 features are invalid; nothing was imported/);
      expect(bad.body.issues).toEqual([
        {
          path: 'features.2.geometry.coordinates.0',
          message:
            'feature 2 "Open ring": geometry.coordinates.0: ring 0 is not closed: its last position [-2.301, 53.5005] must equal its first [-2.301, 53.4995]',
        },
        {
          path: 'features.3.geometry',
          message:
            'feature 3 "Signal SP123": geometry Point is not a zone: expected Polygon, MultiPolygon or LineString (a corridor)',
        },
      ]);
      expect(await zonesOf(importTrial)).toEqual(before);
    });

    it('bounds the number of features with a clear error', async () => {
      const feature = { type: 'Feature', properties: { kind: 'safe' }, geometry: polygon(SMALLER) };
      const content = JSON.stringify({ type: 'FeatureCollection', features: Array(1001).fill(feature) });
      const response = await api('POST', '/zones/import', importBody('geojson', content, 'huge.geojson'));
      expect(response.status).toBe(400);
      expect(response.body.issues).toEqual([
        { path: 'content', message: 'content has 1001 features; at most 1000 are accepted: split the file' },
      ]);
    });
  });

  describe('bad input on every write endpoint', () => {
    let zoneId: string;

    beforeAll(async () => {
      zoneId = (await api('POST', '/zones', zoneBody({ name: `Target ${run}` }))).body.id as string;
    });

    const expectIssues = (
      response: { status: number; body: Json },
      expected: Record<string, RegExp | string>,
    ) => {
      expect(response.status).toBe(400);
      const issues = Object.fromEntries(
        (response.body.issues ?? []).map((issue) => [issue.path, issue.message]),
      );
      for (const [path, message] of Object.entries(expected)) {
        expect({ path, message: issues[path] }).toEqual({
          path,
          message: typeof message === 'string' ? message : expect.stringMatching(message),
        });
      }
    };

    it('POST /zones: structure, then geometry, with field paths', async () => {
      const { provenance: _dropped, ...noProvenance } = zoneBody();
      expectIssues(await api('POST', '/zones', { ...noProvenance, kind: 'maybe' }), {
        kind: /expected one of "safe"\|"danger"/i,
        provenance: /expected object/i,
      });
      const bowTie: Position[] = [
        [-2.301, 53.4995],
        [-2.299, 53.4995],
        [-2.301, 53.5005],
        [-2.299, 53.5005],
        [-2.301, 53.4995],
      ];
      expectIssues(await api('POST', '/zones', zoneBody({ geometry: polygon(bowTie) })), {
        'geometry.coordinates.0.1':
          'ring 0 crosses itself: segment 1 (positions 1→2) and segment 3 (positions 3→4) cross at [-2.3, 53.5]',
      });
      const corridor = { type: 'LineString', coordinates: [SITE[0], SITE[1], SITE[1]] };
      expectIssues(await api('POST', '/zones', zoneBody({ geometry: corridor, halfWidthM: 0 })), {
        halfWidthM: "a corridor's halfWidthM must be > 0 metres, got 0",
        'geometry.coordinates.2': /position 2 repeats position 1/,
      });
      expectIssues(await api('POST', '/zones', zoneBody({ trialId: crypto.randomUUID() })), {
        trialId: /^trial .* does not exist$/,
      });
    });

    it('PUT /zones/:id', async () => {
      const ring = SITE.map((p) => [...p]);
      ring[2] = [-182, 53.5005];
      expectIssues(
        await api('PUT', `/zones/${zoneId}`, versionBody({ geometry: polygon(ring as Position[]) })),
        {
          'geometry.coordinates.0.2.0': 'longitude must be within [-180, 180], got -182',
        },
      );
      expectIssues(
        await api(
          'PUT',
          `/zones/${zoneId}`,
          versionBody({ windows: [{ from: '2025-03-02T00:00:00Z', to: '2025-03-01T00:00:00Z' }] }),
        ),
        {
          'windows.0.to': 'a window must end after it starts',
        },
      );
      expect((await api('GET', `/zones/${zoneId}`)).body).toMatchObject({ currentVersion: 1 });
    });

    it('POST /zones/import', async () => {
      expectIssues(
        await api('POST', '/zones/import', {
          format: 'shp',
          content: '',
          defaults: { provenance: { source: 'survey' } },
        }),
        {
          format: /expected one of "geojson"\|"kml"/i,
          content: 'content is empty',
          'defaults.provenance.source': "an imported zone's provenance source is 'import'",
          'defaults.provenance.author': /expected string/i,
        },
      );
      expectIssues(
        await api('POST', '/zones/import', {
          format: 'geojson',
          content: '{"type":',
          defaults: { provenance: { author: 'x' } },
        }),
        { content: /^content is not valid JSON/ },
      );
    });

    it('POST /zones/:id/check-points', async () => {
      expectIssues(
        await api('POST', `/zones/${zoneId}/check-points`, {
          name: '',
          lon: -2.3,
          lat: 91,
          expected: 'nearby',
          surveyedBy: 'A. Surveyor',
          surveyedAt: 'yesterday',
          accuracyM: 0,
        }),
        {
          name: /too small/i,
          lat: 'lat must be within [-90, 90]',
          expected: /expected one of "inside"\|"outside"/i,
          surveyedAt: 'expected an ISO 8601 time with a zone, e.g. 2025-03-01T22:00:00Z',
          accuracyM: 'accuracyM must be > 0: a surveyed position always has an uncertainty',
        },
      );
    });

    it('GET /zones?asOf', async () => {
      expectIssues(await api('GET', '/zones?asOf=yesterday'), {
        asOf: 'asOf must be an ISO 8601 time with a zone',
      });
    });
  });

  it('keeps versions immutable in the database itself', async () => {
    const zoneId = (await api('POST', '/zones', zoneBody({ name: `Immutable ${run}` }))).body.id as string;
    await expect(
      sql(runtime, `UPDATE zone_version SET author = 'someone else' WHERE zone_id = $1`, [zoneId]),
    ).rejects.toThrow(/zone versions are immutable/);
    await expect(sql(runtime, 'DELETE FROM zone_version WHERE zone_id = $1', [zoneId])).rejects.toThrow(
      /zone versions are immutable/,
    );
    const [row] = await sql<{ author: string }>(
      runtime,
      'SELECT author FROM zone_version WHERE zone_id = $1',
      [zoneId],
    );
    expect(row).toEqual({ author: 'A. Surveyor' });
  });

  describe('the running detector', () => {
    let device: MqttClient;
    let live: LiveClient;
    const deviceId = `zones-device-${run}`;
    const fixes: LiveFix[] = [];
    const breaches: LiveBreach[] = [];
    const t0 = Date.now() - 60_000;

    beforeAll(async () => {
      const credential = await registerDevice(runtime, deviceId);
      live = await connectLive(runtime, token);
      live.on('fix', (fix) => fixes.push(fix));
      live.on('breach', (breach) => breaches.push(breach));
      device = await connectDevice(runtime, credential);
    });

    afterAll(async () => {
      live?.disconnect();
      await device?.endAsync();
    });

    it('uses the new version as soon as PUT publishes it, without a restart', async () => {
      const zone = await api('POST', '/zones', zoneBody({ name: `Live ${run}`, appliesTo: [deviceId] }));
      expect(zone.status).toBe(201);
      const zoneId = zone.body.id as string;
      const publish = async (seconds: number, sequence: number) => {
        await device.publishAsync(
          deviceTopic(deviceId, 'fix'),
          fixPayload(new Date(t0 + seconds * 1000), EAST_STRIP, { sequence }),
          {
            qos: 1,
          },
        );
        await eventually(() =>
          expect(fixes.filter((fix) => fix.deviceId === deviceId)).toHaveLength(sequence + 1),
        );
      };
      // Inside version 1: no breach.
      await publish(0, 0);
      expect(breaches.filter((breach) => breach.deviceId === deviceId)).toEqual([]);
      // Version 2 no longer covers the east strip: the same position is now a breach of version 2.
      const v2 = await api(
        'PUT',
        `/zones/${zoneId}`,
        versionBody({ geometry: polygon(SMALLER), appliesTo: [deviceId] }),
      );
      expect(v2.status).toBe(200);
      // The detector re-evaluates the device at once, on its last fix, without waiting for the next one.
      await eventually(() =>
        expect(breaches.filter((breach) => breach.deviceId === deviceId)).toHaveLength(1),
      );
      expect(breaches.find((breach) => breach.deviceId === deviceId)).toMatchObject({
        type: 'breach',
        zoneId,
        zoneVersion: 2,
        zoneKind: 'safe',
        fix: { fixTimeMs: t0, ...EAST_STRIP },
      });
      // Detections are written behind the live feed: poll until stored.
      await eventually(async () =>
        expect(
          await sql(
            runtime,
            `SELECT cause, zone_version FROM detection_event WHERE device_id = $1 AND status = 'breach'`,
            [deviceId],
          ),
        ).toEqual([{ cause: 'zone-change', zone_version: 2 }]),
      );
      // The next fix at the same place keeps the breach: no second one.
      await publish(1, 1);
      expect(breaches.filter((breach) => breach.deviceId === deviceId)).toHaveLength(1);
    });
  });

  describe('supplier scoping', () => {
    let supplierToken: string;
    let theirs: string;
    let others: string;
    let global: string;

    beforeAll(async () => {
      const supplier = await api('POST', '/suppliers', { name: `Wearables Ltd ${run}` });
      const email = `supplier-${run}@lookout.test`;
      const password = 'a long supplier password';
      const user = await api('POST', '/users', {
        email,
        password,
        role: 'supplier',
        supplierId: supplier.body.id,
      });
      expect(user.status).toBe(201);
      const theirTrial = await createTrial('Supplier trial');
      const otherTrial = await createTrial('Not their trial');
      expect(
        (await api('POST', `/trials/${theirTrial}/suppliers`, { supplierId: supplier.body.id })).status,
      ).toBe(201);
      theirs = (await api('POST', '/zones', zoneBody({ trialId: theirTrial, name: `Theirs ${run}` }))).body
        .id as string;
      others = (await api('POST', '/zones', zoneBody({ trialId: otherTrial, name: `Others ${run}` }))).body
        .id as string;
      global = (await api('POST', '/zones', zoneBody({ trialId: null, name: `Global ${run}` }))).body
        .id as string;
      supplierToken = await login(runtime, email, password);
    });

    it('sees only the zones of trials it takes part in', async () => {
      const listed = await api('GET', '/zones?limit=500', undefined, supplierToken);
      expect(listed.status).toBe(200);
      const ids = (listed.body.items as Json[]).map((zone) => zone.id);
      expect(ids).toContain(theirs);
      expect(ids).not.toContain(others);
      expect(ids).not.toContain(global);
      expect((await api('GET', `/zones/${theirs}`, undefined, supplierToken)).status).toBe(200);
      expect((await api('GET', `/zones/${theirs}/versions`, undefined, supplierToken)).status).toBe(200);
      for (const hidden of [others, global]) {
        expect((await api('GET', `/zones/${hidden}`, undefined, supplierToken)).status).toBe(404);
        expect((await api('GET', `/zones/${hidden}/versions/1`, undefined, supplierToken)).status).toBe(404);
        expect((await api('GET', `/zones/${hidden}/check-points`, undefined, supplierToken)).status).toBe(
          404,
        );
      }
    });

    it('gets 403 on every write', async () => {
      const writes: [string, string, unknown][] = [
        ['POST', '/zones', zoneBody()],
        ['PUT', `/zones/${theirs}`, versionBody()],
        [
          'POST',
          '/zones/import',
          { format: 'geojson', content: '{}', defaults: { provenance: { author: 'x' } } },
        ],
        ['POST', `/zones/${theirs}/check-points`, {}],
      ];
      for (const [method, path, body] of writes) {
        const response = await api(method, path, body, supplierToken);
        expect({ method, path, status: response.status }).toEqual({ method, path, status: 403 });
      }
    });
  });

  it('documents the zone endpoints in OpenAPI under the zones tag', async () => {
    const document = (await (await fetch(`${runtime.httpUrl}/docs/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    for (const [path, method] of [
      ['/zones', 'get'],
      ['/zones', 'post'],
      ['/zones/import', 'post'],
      ['/zones/{id}', 'get'],
      ['/zones/{id}', 'put'],
      ['/zones/{id}/versions', 'get'],
      ['/zones/{id}/versions/{version}', 'get'],
      ['/zones/{id}/check-points', 'get'],
      ['/zones/{id}/check-points', 'post'],
    ] as const) {
      expect({ path, method, tags: document.paths[path]?.[method]?.tags }).toEqual({
        path,
        method,
        tags: ['zones'],
      });
    }
  });
});

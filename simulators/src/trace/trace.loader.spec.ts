import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectTraceFormat, loadTrace, parseTrace } from './trace.loader.js';
import { TraceFormatError } from './trace.model.js';

const CSV = 'time,lon,lat\n2026-05-01T10:00:00Z,-1.5,52.9\n';
const GEOJSON = JSON.stringify({ type: 'LineString', coordinates: [[-1.5, 52.9]] });

describe('trace loader', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lookout-sim-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('detects the format from the extension, else from the first character', () => {
    expect(detectTraceFormat('a.GeoJSON', CSV)).toBe('geojson');
    expect(detectTraceFormat('a.json', CSV)).toBe('geojson');
    expect(detectTraceFormat('a.csv', GEOJSON)).toBe('csv');
    expect(detectTraceFormat('trace.txt', `\n  ${GEOJSON}`)).toBe('geojson');
    expect(detectTraceFormat('trace', CSV)).toBe('csv');
  });

  it('loads files by path and names the file in errors', async () => {
    const csvPath = join(directory, 'walk.csv');
    await writeFile(csvPath, CSV);
    expect((await loadTrace(csvPath)).tracks[0]?.points).toHaveLength(1);

    const jsonPath = join(directory, 'walk.data');
    await writeFile(jsonPath, GEOJSON);
    const trace = await loadTrace(jsonPath, { intervalMs: 1000 });
    expect(trace).toMatchObject({ source: jsonPath, format: 'geojson' });

    const badPath = join(directory, 'bad.csv');
    await writeFile(badPath, 'time,lon,lat\nyesterday,1,2\n');
    await expect(loadTrace(badPath)).rejects.toThrow(
      `${badPath}: line 2, column 1 (time): expected an ISO 8601`,
    );
  });

  it('refuses a missing file or a directory with a TraceFormatError', async () => {
    const missing = join(directory, 'missing.csv');
    await expect(loadTrace(missing)).rejects.toEqual(
      new TraceFormatError(missing, '', 'cannot read the trace: no such file'),
    );
    await expect(loadTrace(directory)).rejects.toThrow('cannot read the trace: is a directory');
  });

  it('parses text given in memory, named for messages', async () => {
    expect((await loadTrace({ format: 'csv', text: CSV })).source).toBe('<csv text>');
    expect(() => parseTrace({ format: 'geojson', text: '{', name: 'upload' })).toThrow(
      /^upload: not valid JSON/,
    );
  });
});

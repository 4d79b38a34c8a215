/**
 * Regenerates simulators/traces/demo-*.{geojson,csv} from src/demo/demo-traces.ts.
 * Run from the repository root: `npm run build && node dist/simulators/scripts/write-demo-traces.js`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDemoShortCsv, buildDemoSite, buildDemoStepOut } from '../src/demo/demo-traces.js';

const directory = process.argv[2] ?? join('simulators', 'traces');
/** Indented JSON with each [lon, lat] pair on one line, so the files stay readable and diff well. */
const json = (value: unknown) =>
  `${JSON.stringify(value, null, 2).replace(/\[\s+(-?[\d.e+-]+),\s+(-?[\d.e+-]+)\s+\]/g, '[$1, $2]')}\n`;

await writeFile(join(directory, 'demo-step-out.geojson'), json(buildDemoStepOut()));
await writeFile(join(directory, 'demo-site.geojson'), json(buildDemoSite()));
await writeFile(join(directory, 'demo-short.csv'), buildDemoShortCsv());
console.log(`wrote demo-step-out.geojson, demo-site.geojson and demo-short.csv to ${directory}`);

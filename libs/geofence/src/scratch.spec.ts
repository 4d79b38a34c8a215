import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { allocRegion } from './scratch.js';

// scratch.ts keeps its chunks per module instance, and jest gives this file a fresh one.
describe('zone regions in shared chunks', () => {
  it('packs regions on cache lines into an 8 MB chunk, then into 1 GB ones; large regions get their own', () => {
    const first = allocRegion(1000);
    const second = allocRegion(1000);
    expect(second.views).toBe(first.views);
    expect(first.views.buffer.byteLength).toBe(8 << 20);
    expect(second.byteOffset - first.byteOffset).toBe(1024); // 1000 rounded up to 64

    // Over a quarter of the small chunk: a buffer of its own, the chunk untouched.
    const large = allocRegion((2 << 20) + 100);
    expect(large.byteOffset).toBe(0);
    expect(large.views.buffer.byteLength).toBe((2 << 20) + 128);
    expect(allocRegion(64).views).toBe(first.views);

    // Once the small chunk is full, one large chunk (address space: pages are resident only as written).
    let next = allocRegion(1 << 20);
    while (next.views === first.views) next = allocRegion(1 << 20);
    expect(next.views.buffer.byteLength).toBe(1024 << 20);
    expect(next.byteOffset).toBe(0);
    expect(allocRegion(1 << 20).views).toBe(next.views);
  });
});

describe('large chunks where the address space is limited', () => {
  // A fresh node with `ulimit -v` (as strict overcommit would refuse) runs this very module, transpiled on
  // the fly (it imports nothing), and reports the size of the chunk after the first, or with `reserve`
  // the size of the chunk its first region lands in after reserveIndexMemory() (called twice).
  /** [the child's address space before the chunks, in kB; the size of that chunk, in MB] */
  const run = (limitKb: number | null, reserve = false): [number, number] => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lookout-scratch-'));
    const source = readFileSync(fileURLToPath(new URL('./scratch.ts', import.meta.url)), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(path.join(dir, 'scratch.mjs'), outputText);
    writeFileSync(
      path.join(dir, 'probe.mjs'),
      `import { readFileSync } from 'node:fs';
       import { allocRegion, reserveIndexMemory } from './scratch.mjs';
       const vmKb = Number(/VmSize:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
       if (${reserve}) {
         reserveIndexMemory();
         const first = allocRegion(1000);
         reserveIndexMemory(); // once: the chunk being filled stays
         if (allocRegion(1000).views !== first.views) throw new Error('a second reservation replaced the chunk');
         console.log(vmKb, first.views.buffer.byteLength >> 20);
       } else {
         const first = allocRegion(1000);
         let next = allocRegion(1 << 20);
         while (next.views === first.views) next = allocRegion(1 << 20);
         console.log(vmKb, next.views.buffer.byteLength >> 20);
       }`,
    );
    const limit = limitKb === null ? '' : `ulimit -v ${limitKb} && `;
    try {
      return execFileSync('sh', ['-c', `${limit}exec "${process.execPath}" probe.mjs`], {
        cwd: dir,
        encoding: 'utf8',
      })
        .trim()
        .split(' ')
        .map(Number) as [number, number];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('takes 1 GB where it can, and smaller chunks where the address space is refused', () => {
    if (process.platform !== 'linux') return; // reads /proc; the fallback is the same code everywhere
    const [baselineKb, free] = run(null);
    expect(free).toBe(1024);
    // 600 MB above what node itself had reserved: 1 GB is refused, 256 MB is not.
    const [, limited] = run(baselineKb + 600 * 1024);
    expect(limited).toBe(256);
  });

  it('reserveIndexMemory() makes the first chunk a large one at once (as the server does at start)', () => {
    if (process.platform !== 'linux') return;
    const [baselineKb, reserved] = run(null, true);
    expect(reserved).toBe(1024);
    expect(run(baselineKb + 600 * 1024, true)[1]).toBe(256);
  });
});

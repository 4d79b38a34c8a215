import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { allocRegion } from './scratch.js';

// The chunk being filled is one per process (shared by every instance of scratch.ts), so other
// test files in this worker may have used part of it: offsets are compared, not assumed.
describe('zone regions in shared chunks', () => {
  it('packs regions on cache lines into the 1 GB chunk reserved at load, then into another; large regions get their own', () => {
    const first = allocRegion(1000);
    const second = allocRegion(1000);
    expect(second.views).toBe(first.views);
    expect(first.views.buffer.byteLength).toBe(1024 << 20);
    expect(second.byteOffset - first.byteOffset).toBe(1024); // 1000 rounded up to 64

    // Over 2 MB: a buffer of its own, the chunk untouched.
    const large = allocRegion((2 << 20) + 100);
    expect(large.byteOffset).toBe(0);
    expect(large.views.buffer.byteLength).toBe((2 << 20) + 128);
    expect(allocRegion(64).views).toBe(first.views);

    // Once the chunk is full, another one (address space: pages are resident only as written).
    let next = allocRegion(1 << 20);
    while (next.views === first.views) next = allocRegion(1 << 20);
    expect(next.views.buffer.byteLength).toBe(1024 << 20);
    expect(next.byteOffset).toBe(0);
    expect(allocRegion(1 << 20).views).toBe(next.views);
  });
});

describe('large chunks where the address space is limited', () => {
  // A fresh node with `ulimit -v` (as strict overcommit would refuse) runs this very module, transpiled on
  // the fly (it imports nothing), and reports the size of the chunk it reserved when it loaded. It loads
  // a second copy of the module too, as a test runner does for each test file.
  /**
   * [the child's address space before the module loaded, in kB; the size of its chunk, in MB; 1 if the
   * second copy of the module allocated from the same chunk]
   */
  const run = (limitKb: number | null): [number, number, number] => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lookout-scratch-'));
    const source = readFileSync(fileURLToPath(new URL('./scratch.ts', import.meta.url)), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(path.join(dir, 'scratch.mjs'), outputText);
    writeFileSync(path.join(dir, 'scratch-again.mjs'), outputText);
    writeFileSync(
      path.join(dir, 'probe.mjs'),
      `import { readFileSync } from 'node:fs';
       const vmKb = Number(/VmSize:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
       const { allocRegion } = await import('./scratch.mjs');
       const again = await import('./scratch-again.mjs');
       const first = allocRegion(1000);
       const shared = again.allocRegion(1000).views === first.views ? 1 : 0;
       console.log(vmKb, first.views.buffer.byteLength >> 20, shared);`,
    );
    const limit = limitKb === null ? '' : `ulimit -v ${limitKb} && `;
    try {
      return execFileSync('sh', ['-c', `${limit}exec "${process.execPath}" probe.mjs`], {
        cwd: dir,
        encoding: 'utf8',
      })
        .trim()
        .split(' ')
        .map(Number) as [number, number, number];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('takes 1 GB where it can, and smaller chunks where the address space is refused', () => {
    if (process.platform !== 'linux') return; // reads /proc; the fallback is the same code everywhere
    const [baselineKb, free, shared] = run(null);
    expect(free).toBe(1024);
    // One chunk per process: a module loaded twice does not reserve twice.
    expect(shared).toBe(1);
    // 600 MB above what node itself had reserved: 1 GB is refused, 256 MB is not.
    const [, limited] = run(baselineKb + 600 * 1024);
    expect(limited).toBe(256);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { htmlDocument } from './html.js';
import { PdfRenderer } from './pdf.renderer.js';

describe('PdfRenderer', () => {
  const renderer = new PdfRenderer();
  afterAll(() => renderer.onApplicationShutdown());

  it('prints HTML with inline SVG to a PDF whose text can be read back', async () => {
    const pdf = await renderer.render(
      htmlDocument(
        'Check',
        '<h1>Lookout check 42.5%</h1><svg width="50" height="20"><rect width="50" height="20"/></svg>',
      ),
    );
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'lookout-pdf-')), 'check.pdf');
    writeFileSync(file, pdf);
    expect(execFileSync('pdftotext', [file, '-']).toString()).toContain('Lookout check 42.5%');
  }, 30_000);
});

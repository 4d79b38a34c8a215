import { normaliseDeclaredType, sniffAttachment } from './attachment.sniff.js';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a6d3e0c50000000049454e44ae426082',
  'hex',
);
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(56)]);

describe('sniffAttachment', () => {
  it('takes binary types from the bytes', async () => {
    expect(await sniffAttachment(PNG, 'application/octet-stream')).toEqual({
      ok: true,
      mediaType: 'image/png',
    });
    expect(await sniffAttachment(PDF, 'application/pdf')).toEqual({ ok: true, mediaType: 'application/pdf' });
  });

  it('refuses an executable whatever it is declared as', async () => {
    const result = await sniffAttachment(ELF, 'application/pdf');
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/executable \(elf\)/) });
  });

  it('refuses a declared type the bytes contradict', async () => {
    expect(await sniffAttachment(PNG, 'application/pdf')).toMatchObject({ ok: false });
    expect(await sniffAttachment(Buffer.from('a,b\n1,2\n'), 'application/pdf')).toMatchObject({ ok: false });
  });

  it('accepts text types by declaration after checking the bytes are text', async () => {
    expect(await sniffAttachment(Buffer.from('a,b\n1,2\n'), 'text/csv')).toEqual({
      ok: true,
      mediaType: 'text/csv',
    });
    expect(await sniffAttachment(Buffer.from('# Title\n'), 'text/markdown')).toEqual({
      ok: true,
      mediaType: 'text/markdown',
    });
    expect(await sniffAttachment(Buffer.from('{"a":1}'), undefined)).toEqual({
      ok: true,
      mediaType: 'application/json',
    });
    expect(await sniffAttachment(Buffer.from('{"a":'), 'application/json')).toMatchObject({ ok: false });
    expect(await sniffAttachment(Buffer.from([0xc3, 0x28]), 'text/csv')).toMatchObject({ ok: false });
    expect(await sniffAttachment(Buffer.from('a\u0000b'), 'text/csv')).toMatchObject({ ok: false });
    expect(await sniffAttachment(Buffer.from('x'), 'application/x-msdownload')).toMatchObject({ ok: false });
  });

  it('normalises declared types', () => {
    expect(normaliseDeclaredType('Text/Markdown; charset=utf-8')).toBe('text/markdown');
    expect(normaliseDeclaredType('application/octet-stream')).toBeUndefined();
  });
});

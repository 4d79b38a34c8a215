import { printableReason } from './dead-letter.repository.js';

describe('printableReason', () => {
  it('escapes control characters PostgreSQL text cannot hold, and keeps the rest', () => {
    expect(printableReason('bad \u0000\u0001 byte\ttab')).toBe('bad \\u0000\\u0001 byte\ttab');
  });

  it('bounds the length', () => {
    expect(printableReason('x'.repeat(5000))).toHaveLength(2001);
  });
});

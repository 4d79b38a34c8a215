import { MAX_STATUS_PAYLOAD_BYTES, parseDeviceStatus } from './device-status.js';

const parse = (text: string) => parseDeviceStatus(new TextEncoder().encode(text));

describe('parseDeviceStatus', () => {
  it('reads the plain words, whatever their case and spacing', () => {
    expect(parse('online')).toEqual({ ok: true, report: { state: 'online' } });
    expect(parse(' OFFLINE\n')).toEqual({ ok: true, report: { state: 'offline' } });
  });

  it('reads the JSON form with an optional time, ISO 8601 with a zone or epoch ms', () => {
    expect(parse('{"state":"online"}')).toEqual({ ok: true, report: { state: 'online' } });
    expect(parse('{"state":"offline","time":"2026-11-22T03:00:00Z"}')).toEqual({
      ok: true,
      report: { state: 'offline', atMs: Date.parse('2026-11-22T03:00:00Z') },
    });
    expect(parse('{"state":"online","time":1795316400000}')).toEqual({
      ok: true,
      report: { state: 'online', atMs: 1795316400000 },
    });
  });

  it('names what is wrong with a bad payload', () => {
    const reason = (text: string | Uint8Array) => {
      const result = typeof text === 'string' ? parse(text) : parseDeviceStatus(text);
      return result.ok ? 'accepted' : result.reason;
    };
    expect(reason('')).toMatch(/empty/);
    expect(reason('asleep')).toMatch(/neither "online", "offline" nor JSON/);
    expect(reason('[1]')).toMatch(/must be an object/);
    expect(reason('{"state":"asleep"}')).toBe('state: must be "online" or "offline"');
    expect(reason('{"state":"online","battery":3}')).toBe('status JSON has unknown field(s): battery');
    expect(reason('{"state":"online","time":"2026-11-22T03:00:00"}')).toMatch(/^time:/);
    expect(reason('{"state":"online","time":1.5}')).toMatch(/^time:/);
    expect(reason(new Uint8Array([0xff, 0xfe]))).toMatch(/not UTF-8/);
    expect(reason('x'.repeat(MAX_STATUS_PAYLOAD_BYTES + 1))).toMatch(/at most 512/);
  });
});

import { readFileSync } from 'node:fs';

/** Reads devices/fixtures/<codec>/<file> as bytes; `.hex` fixtures are decoded from hex. */
export function fixtureBytes(codec: string, file: string): Uint8Array {
  const url = new URL(`../../fixtures/${codec}/${file}`, import.meta.url);
  const raw = readFileSync(url);
  if (!file.endsWith('.hex')) return new Uint8Array(raw);
  return new Uint8Array(Buffer.from(raw.toString('utf8').replace(/\s+/g, ''), 'hex'));
}

export function fixtureText(codec: string, file: string): string {
  return new TextDecoder().decode(fixtureBytes(codec, file));
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
export const jsonBytes = (value: unknown): Uint8Array => utf8(JSON.stringify(value));

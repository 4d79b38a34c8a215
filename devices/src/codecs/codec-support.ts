import type { DecodeResult, RejectedItem } from '../../../libs/telemetry/src/index.js';
import { MAX_BATCH_FIXES } from './canonical-json.codec.js';

/** A batch larger than this is refused whole, in every codec: a device that sends it is misbehaving. */
export const MAX_ITEMS_PER_MESSAGE = MAX_BATCH_FIXES;

export type JsonReadResult = { ok: true; body: unknown } | { ok: false; rejected: RejectedItem };

/** Strict UTF-8 (a lone 0xFF is an error, not U+FFFD), then JSON; never throws. */
export function readUtf8Json(payload: Uint8Array): JsonReadResult {
  try {
    return { ok: true, body: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) };
  } catch (error) {
    return { ok: false, rejected: wholeMessage(`payload is not UTF-8 JSON: ${(error as Error).message}`) };
  }
}

export function readUtf8Text(
  payload: Uint8Array,
): { ok: true; text: string } | { ok: false; rejected: RejectedItem } {
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(payload) };
  } catch (error) {
    return { ok: false, rejected: wholeMessage(`payload is not UTF-8 text: ${(error as Error).message}`) };
  }
}

export function wholeMessage(reason: string): RejectedItem {
  return { index: -1, reason };
}

export function rejectWhole(reason: string): DecodeResult {
  return { fixes: [], rejected: [wholeMessage(reason)] };
}

/**
 * One item or an array of them, as every JSON codec accepts. Returns the items, or the reason the whole
 * message is refused (an empty array, or more than MAX_ITEMS_PER_MESSAGE items).
 */
export function jsonItems(
  body: unknown,
  noun: string,
): { ok: true; items: unknown[]; isBatch: boolean } | { ok: false; reason: string } {
  if (!Array.isArray(body)) return { ok: true, items: [body], isBatch: false };
  if (body.length === 0) return { ok: false, reason: `batch is empty: expected at least one ${noun}` };
  if (body.length > MAX_ITEMS_PER_MESSAGE) {
    return {
      ok: false,
      reason: `batch has ${body.length} ${noun}s; at most ${MAX_ITEMS_PER_MESSAGE} are accepted`,
    };
  }
  return { ok: true, items: body, isBatch: true };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Metres per second in one knot (1852 m per nautical mile, by definition). */
export const MPS_PER_KNOT = 1852 / 3600;
/** Metres per second in one km/h. */
export const MPS_PER_KMH = 1000 / 3600;

/**
 * Scale from a per-axis standard deviation to the radius containing 95% of a circular bivariate normal
 * error: P(r <= R) = 1 - exp(-R² / 2σ²), so R95 = σ·sqrt(-2·ln 0.05) = 2.4477σ.
 */
export const SIGMA_TO_R95 = Math.sqrt(-2 * Math.log(0.05));

import { fileTypeFromBuffer } from 'file-type';

/** Uploads larger than this are refused with 413 before they reach a handler. */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

export const BINARY_MEDIA_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export const TEXT_MEDIA_TYPES = ['text/csv', 'application/json', 'text/markdown'] as const;
export const ALLOWED_MEDIA_TYPES = [...BINARY_MEDIA_TYPES, ...TEXT_MEDIA_TYPES] as const;
export type AttachmentMediaType = (typeof ALLOWED_MEDIA_TYPES)[number];

export type SniffResult = { ok: true; mediaType: AttachmentMediaType } | { ok: false; reason: string };

const ALIASES: Record<string, string> = {
  'text/x-markdown': 'text/markdown',
  'text/x-csv': 'text/csv',
  'application/csv': 'text/csv',
  'text/json': 'application/json',
  'image/jpg': 'image/jpeg',
};
/** Declared types that say nothing about the content. */
const UNDECLARED = new Set(['', 'application/octet-stream']);
const EXECUTABLES = new Set([
  'elf',
  'exe',
  'dll',
  'mach',
  'macho',
  'class',
  'dex',
  'wasm',
  'msi',
  'deb',
  'rpm',
  'apk',
]);
// C0 control characters other than tab, line feed, form feed and carriage return, and DEL: not text.
// eslint-disable-next-line no-control-regex
const CONTROL_BYTES = /[\u0000-\u0008\u000B\u000E-\u001F\u007F]/;

/** The declared media type, lower-cased, without parameters, aliases resolved; undefined when it says nothing. */
export function normaliseDeclaredType(declared: string | undefined): string | undefined {
  const bare = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  if (UNDECLARED.has(bare)) return undefined;
  return ALIASES[bare] ?? bare;
}

const allowedList = ALLOWED_MEDIA_TYPES.join(', ');

/**
 * Decides an upload's type from its bytes, never its name. Binary formats (PDF, PNG, JPEG) by their
 * signatures (file-type); anything else must be UTF-8 text without control bytes, and then JSON must
 * parse, while CSV and Markdown (which have no signature) are taken from the declared type.
 */
export async function sniffAttachment(bytes: Uint8Array, declaredType?: string): Promise<SniffResult> {
  if (bytes.length === 0) return { ok: false, reason: 'the file is empty' };
  const declared = normaliseDeclaredType(declaredType);
  if (declared !== undefined && !(ALLOWED_MEDIA_TYPES as readonly string[]).includes(declared)) {
    return { ok: false, reason: `declared type ${declared} is not allowed (allowed: ${allowedList})` };
  }
  const detected = await fileTypeFromBuffer(bytes);
  if (detected) {
    if ((BINARY_MEDIA_TYPES as readonly string[]).includes(detected.mime)) {
      if (declared !== undefined && declared !== detected.mime) {
        return { ok: false, reason: `declared ${declared} but the content is ${detected.mime}` };
      }
      return { ok: true, mediaType: detected.mime as AttachmentMediaType };
    }
    const what = EXECUTABLES.has(detected.ext) ? `an executable (${detected.ext})` : `a ${detected.ext} file`;
    return {
      ok: false,
      reason: `the content is ${what}, ${detected.mime}, which is not allowed whatever its name (allowed: ${allowedList})`,
    };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, reason: `the content is neither a PDF, PNG or JPEG nor UTF-8 text` };
  }
  if (CONTROL_BYTES.test(text))
    return { ok: false, reason: 'the content has binary control bytes: it is not text' };
  if (declared !== undefined && (BINARY_MEDIA_TYPES as readonly string[]).includes(declared)) {
    return { ok: false, reason: `declared ${declared} but the content is plain text, not ${declared}` };
  }
  if (declared === undefined || declared === 'application/json') {
    try {
      JSON.parse(text.replace(/^\uFEFF/, ''));
      return { ok: true, mediaType: 'application/json' };
    } catch (error) {
      if (declared === 'application/json') {
        return {
          ok: false,
          reason: `declared application/json but it does not parse: ${(error as Error).message}`,
        };
      }
      return { ok: false, reason: 'text that is not JSON: declare its type (text/csv or text/markdown)' };
    }
  }
  return { ok: true, mediaType: declared as AttachmentMediaType };
}

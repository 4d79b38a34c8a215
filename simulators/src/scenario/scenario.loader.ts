import { readFile } from 'node:fs/promises';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { scenarioSchema, type Scenario } from './scenario.schema.js';

/** A scenario that cannot be read. The message names the file, the line and column, and the field. */
export class ScenarioFormatError extends Error {
  constructor(
    readonly source: string,
    /** `line 12, column 7 (devices[0].path[3])`; empty for the whole file. */
    readonly position: string,
    readonly detail: string,
  ) {
    super(position ? `${source}: ${position}: ${detail}` : `${source}: ${detail}`);
    this.name = 'ScenarioFormatError';
  }
}

/** `devices[0].path[3]` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

/** Line and column of the deepest node of `path` present in the document (the parent when a key is missing). */
function locate(document: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): string {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? document.contents : document.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) {
      const { line, col } = lineCounter.linePos(node.range[0]);
      return `line ${line}, column ${col}`;
    }
  }
  return '';
}

const MAX_REPORTED_ISSUES = 5;

/**
 * Parses a scenario from YAML or JSON text (JSON is read by the same YAML 1.2 parser, so both get
 * line numbers) and validates it. Throws ScenarioFormatError naming the line, column and field of up
 * to five problems.
 */
export function parseScenario(text: string, source: string): Scenario {
  const lineCounter = new LineCounter();
  const document = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter, uniqueKeys: true });
  const [syntaxError] = document.errors;
  if (syntaxError) {
    const at = syntaxError.linePos?.[0];
    const firstLine = syntaxError.message.split('\n')[0] ?? syntaxError.message;
    throw new ScenarioFormatError(source, at ? `line ${at.line}, column ${at.col}` : '', firstLine);
  }
  const parsed = scenarioSchema.safeParse(document.toJS());
  if (parsed.success) return parsed.data;
  throw issuesError(parsed.error, document, lineCounter, source);
}

function issuesError(error: z.ZodError, document: Document, lineCounter: LineCounter, source: string) {
  const described = error.issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => {
    const field = formatPath(issue.path);
    const where = locate(document, lineCounter, issue.path);
    return { position: [where, field && `(${field})`].filter(Boolean).join(' '), message: issue.message };
  });
  const [first, ...rest] = described;
  const more = error.issues.length - described.length;
  const others = rest.map((issue) => `; ${issue.position}: ${issue.message}`).join('');
  return new ScenarioFormatError(
    source,
    first?.position ?? '',
    `${first?.message ?? 'invalid scenario'}${others}${more > 0 ? `; and ${more} more` : ''}`,
  );
}

export async function loadScenario(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new ScenarioFormatError(path, '', `cannot read the scenario: ${reason}`);
  }
  return parseScenario(text, path);
}

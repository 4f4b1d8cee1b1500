import { type CST, Composer, LineCounter, Parser } from 'yaml';
import type { z } from 'zod';
import { type Problem, ValidationError } from './errors.js';
import { RawRange } from './schema.js';

/** Blueprints larger than this are refused before parsing. */
export const MAX_BLUEPRINT_BYTES = 1024 * 1024;
/** YAML alias expansions allowed per document; a "billion laughs" bomb hits this at once. */
const MAX_ALIAS_COUNT = 100;
/** Collections nested deeper than this are refused before composing: the composer recurses, and deep input overflows the stack. */
export const MAX_NESTING = 64;

/** Formats a zod/JSON path as `vms[2].interfaces[1].ip`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** Turns zod issues into located one-line problems. */
export function problemsFromZod(error: z.ZodError): Problem[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'invalid_value':
        return { path, message: `unknown value ${JSON.stringify(input)} (valid: ${issue.values.map(String).join(', ')})` };
      case 'unrecognized_keys':
        return {
          path: formatPath([...issue.path]),
          message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
        };
      case 'invalid_type':
        return { path, message: input === undefined ? 'is required' : `expected ${issue.expected}, got ${JSON.stringify(input)}` };
      case 'invalid_format':
        return { path, message: `${JSON.stringify(input)} ${issue.message}` };
      case 'invalid_key':
        // zod says only "Invalid key in record"; the key's own issue carries the useful message.
        return { path, message: `${JSON.stringify(input)} ${issue.issues[0]?.message ?? 'is not a valid key'}` };
      default:
        return { path, message: issue.message };
    }
  });
}

/** Parses YAML or JSON text into a plain value, refusing oversize input and alias bombs. */
export function parseDocumentText(text: string): { value: unknown } | { problems: Problem[] } {
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so only texts above a third of the limit need encoding.
  if (
    text.length > MAX_BLUEPRINT_BYTES ||
    (text.length * 3 > MAX_BLUEPRINT_BYTES && new TextEncoder().encode(text).length > MAX_BLUEPRINT_BYTES)
  )
    return { problems: [{ path: '', message: `document is larger than ${MAX_BLUEPRINT_BYTES} bytes` }] };
  // One lexing pass serves the nesting check and the composer (parsing is most of validate's time).
  const lines = new LineCounter();
  const tokens = [...new Parser(lines.addNewLine).parse(text)];
  if (nestingExceeds(tokens, MAX_NESTING))
    return { problems: [{ path: '', message: `document nests collections deeper than ${MAX_NESTING} levels` }] };
  const docs = [...new Composer({ uniqueKeys: true }).compose(tokens, true, text.length)];
  const doc = docs[0];
  if (!doc) return { problems: [{ path: '', message: 'document is empty' }] };
  const errors = [...doc.errors.map((e) => ({ at: e.pos[0], message: e.message }))];
  if (docs.length > 1) errors.push({ at: docs[1]?.range[0] ?? 0, message: 'a blueprint is one document; this text holds several' });
  if (errors.length > 0) {
    return {
      problems: errors.map((e) => ({ path: `line ${lines.linePos(e.at).line}`, message: e.message.split('\n')[0] ?? e.message })),
    };
  }
  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (e) {
    return { problems: [{ path: '', message: (e as Error).message }] };
  }
}

/**
 * Whether any collection in `text` lies more than `limit` levels deep. Walks the parser's CST without
 * recursion: `parseDocument` recurses per level, and a few hundred KB of `[[[…` or `- - - …` would
 * otherwise overflow the stack, which V8 may report as a fatal out-of-memory that kills the process.
 */
function nestingExceeds(tokens: readonly CST.Token[], limit: number): boolean {
  const stack: Array<{ tok: CST.Token; depth: number }> = [];
  for (const tok of tokens) stack.push({ tok, depth: 0 });
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { tok, depth } = next;
    if (tok.type === 'document') {
      if (tok.value) stack.push({ tok: tok.value, depth });
    } else if (tok.type === 'block-map' || tok.type === 'block-seq' || tok.type === 'flow-collection') {
      if (depth + 1 > limit) return true;
      for (const item of tok.items) {
        if (item.key) stack.push({ tok: item.key, depth: depth + 1 });
        if (item.value) stack.push({ tok: item.value, depth: depth + 1 });
      }
    }
  }
  return false;
}

/** Checks a parsed value against the blueprint shape. */
export function parseRawRange(value: unknown): { raw: RawRange } | { problems: Problem[] } {
  const r = RawRange.safeParse(value, { reportInput: true });
  return r.success ? { raw: r.data } : { problems: problemsFromZod(r.error) };
}

/** Parses blueprint text all the way to `RawRange`, or throws a ValidationError naming `source`. */
export function loadRawRange(text: string, source?: string): RawRange {
  const doc = parseDocumentText(text);
  if ('problems' in doc) throw new ValidationError(doc.problems, source);
  const r = parseRawRange(doc.value);
  if ('problems' in r) throw new ValidationError(r.problems, source);
  return r.raw;
}

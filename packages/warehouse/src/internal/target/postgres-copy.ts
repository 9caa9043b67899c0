import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { quoteIdent } from '../model/naming.js';
import type { SqlColumn } from './duckdb-sql.js';

/** Rows per chunk written to the COPY stream: large enough to amortize the writes, small enough to bound memory. */
const ROWS_PER_CHUNK = 2_000;

const NEEDS_ESCAPE = /[\\\n\r\t\0]/;

/**
 * Streams rows into a (staging) table with `COPY ... FROM STDIN` in text format: one line per
 * row, tab-separated, `\N` for NULL, backslash escapes. Every value is text (stageValue's output),
 * so no type is sent; the INSERT from the stage casts.
 */
export async function copyRows(client: pg.ClientBase, table: string, columns: readonly SqlColumn[], rows: readonly (readonly (string | number | null)[])[]): Promise<void> {
  const json = columns.map((c) => c.type === 'JSON' || c.type.endsWith('[]'));
  const sql = `COPY pg_temp.${quoteIdent(table)} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) FROM STDIN`;
  function* chunks(): Generator<string> {
    let chunk = '';
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      for (let i = 0; i < columns.length; i++) {
        if (i > 0) chunk += '\t';
        chunk += copyField(row[i], json[i]!);
      }
      chunk += '\n';
      if ((r + 1) % ROWS_PER_CHUNK === 0) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk !== '') yield chunk;
  }
  await pipeline(Readable.from(chunks(), { objectMode: false }), client.query(copyFrom(sql)));
}

/** One field of COPY's text format. */
export function copyField(value: string | number | null | undefined, json: boolean): string {
  if (value === null || value === undefined) return '\\N';
  let text = typeof value === 'number' ? String(value) : value;
  // U+0000, which PostgreSQL text cannot hold, becomes U+FFFD (ESCAPES).
  if (json) text = storableJson(text);
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[\\\n\r\t\0]/g, (c) => ESCAPES[c]!);
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\uFFFD' };

/**
 * JSON text as `jsonb` takes it. PostgreSQL cannot hold U+0000 in text or jsonb, and jsonb refuses
 * an unpaired surrogate escape, where JSON itself allows both: such strings (keys included) get
 * U+FFFD in place, rather than failing the batch. Only text with a `\u` escape can have them.
 */
export function storableJson(text: string): string {
  if (!text.includes('\\u')) return text;
  return JSON.stringify(
    JSON.parse(text, (_key, value: unknown) => {
      if (typeof value === 'string') return storableText(value);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
      // The reviver sees each object after its members: only its keys are left to fix.
      const entries = Object.entries(value);
      return entries.some(([key]) => storableText(key) !== key) ? Object.fromEntries(entries.map(([key, v]) => [storableText(key), v])) : value;
    }),
  );
}

/** Unpaired surrogates and U+0000 as U+FFFD. */
const UNSTORABLE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\0/g;

function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

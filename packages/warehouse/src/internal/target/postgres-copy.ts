import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { quoteIdent } from '../model/naming.js';
import type { SqlColumn } from './duckdb-sql.js';

/** Bytes per chunk written to the COPY stream: large enough to amortize the writes, small enough to bound memory. */
const CHUNK_BYTES = 1 << 20;

const NEEDS_ESCAPE = /[\\\n\r\t\0]/;

/** How a column's staged text is written: as it is, as jsonb takes JSON, or as an array literal. */
type FieldKind = 'text' | 'json' | 'array';

/**
 * Streams rows into a table with `COPY ... FROM STDIN` in text format: one line per row,
 * tab-separated, `\N` for NULL, backslash escapes. The values are stageValue's text, already
 * checked against the column types, so PostgreSQL's input functions take each of them. `into`:
 * `stage`, a temp table of text columns (lists stay JSON, the INSERT casts); `table`, the typed
 * table itself (lists become array literals).
 */
export async function copyRows(client: pg.ClientBase, table: string, into: 'stage' | 'table', columns: readonly SqlColumn[], rows: readonly (readonly (string | number | null)[])[]): Promise<void> {
  const kinds = columns.map((c): FieldKind => (c.type === 'JSON' ? 'json' : c.type.endsWith('[]') ? (into === 'stage' ? 'json' : 'array') : 'text'));
  const name = into === 'stage' ? `pg_temp.${quoteIdent(table)}` : quoteIdent(table);
  const sql = `COPY ${name} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) FROM STDIN`;
  // Each row's line is encoded into the chunk's buffer as it is made: no chunk-long string built by
  // concatenation to flatten and encode again (most of what a batch's COPY allocated).
  function* chunks(): Generator<Buffer> {
    let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let at = 0;
    for (const row of rows) {
      let line = copyField(row[0], kinds[0]!);
      for (let i = 1; i < columns.length; i++) line += `\t${copyField(row[i], kinds[i]!)}`;
      line += '\n';
      // Room for the line: UTF-8 takes at most 3 bytes a UTF-16 unit.
      const most = line.length * 3;
      if (at + most > buffer.length) {
        if (at > 0) yield buffer.subarray(0, at);
        buffer = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, most));
        at = 0;
      }
      at += buffer.write(line, at);
    }
    if (at > 0) yield buffer.subarray(0, at);
  }
  await pipeline(Readable.from(chunks(), { objectMode: false }), client.query(copyFrom(sql)));
}

/** One field of COPY's text format. */
export function copyField(value: string | number | null | undefined, kind: FieldKind): string {
  if (value === null || value === undefined) return '\\N';
  let text = typeof value === 'number' ? String(value) : value;
  // U+0000, which PostgreSQL text cannot hold, becomes U+FFFD (ESCAPES).
  if (kind === 'json') text = storableJson(text);
  else if (kind === 'array') text = arrayLiteral(text);
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[\\\n\r\t\0]/g, (c) => ESCAPES[c]!);
}

/** A staged list (a JSON array of scalars) as a PostgreSQL array literal: `{"a","b"}`, NULL for null items. */
export function arrayLiteral(json: string): string {
  const items = JSON.parse(json) as (string | number | boolean | null)[];
  return `{${items.map((item) => (item === null ? 'NULL' : `"${String(item).replace(/[\\"]/g, '\\$&')}"`)).join(',')}}`;
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

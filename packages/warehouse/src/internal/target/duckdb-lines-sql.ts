import type { ColumnType } from '../model/column-type.js';
import { quoteText } from '../model/naming.js';

/**
 * SQL for the DuckDB fast path (duckdb-lines.ts): the envelope's fields read by DuckDB's JSON
 * functions from the stored line, and, for each column, a predicate that holds only where the JS
 * path (parseLine, buildRows, stageValue) would accept the value and stage the same text. The
 * predicates are conservative: what they do not recognise goes to the JS path, which decides.
 */

/**
 * The fields read from each line (JSON paths), each as a JSON value, or NULL when missing or JSON
 * null (which the JS path treats alike: `?.`, `??`, a null column), in one parse of the line:
 * `from_json` with this structure.
 */
export const LINE_PATHS = [
  '$.receivedAt',
  '$.envelope.id',
  '$.envelope.event.schema',
  '$.envelope.ts.created',
  '$.envelope.ts.sent',
  '$.envelope.ts.true',
  '$.envelope.app.id',
  '$.envelope.app.version',
  '$.envelope.app.platform',
  '$.envelope.tracker.name',
  '$.envelope.tracker.version',
  '$.envelope.tracker.namespace',
  '$.envelope.user.userId',
  '$.envelope.user.anonymousId',
  '$.envelope.user.sessionId',
  '$.envelope.user.sessionIndex',
  '$.envelope.page.url',
  '$.envelope.page.referrer',
  '$.envelope.page.title',
  '$.envelope.device.userAgent',
  '$.envelope.device.language',
  '$.envelope.device.timezone',
  '$.envelope.device.screen',
  '$.envelope.consent.purposes',
  '$.envelope.consent.policyVersion',
  '$.envelope.consent.source',
  '$.envelope.event.data',
  '$.envelope.entities',
] as const;

type LinePath = (typeof LINE_PATHS)[number];

/** The `from_json` structure of LINE_PATHS: every leaf JSON. */
export const LINE_STRUCTURE = JSON.stringify(
  LINE_PATHS.reduce<Record<string, unknown>>((root, path) => {
    const keys = path.slice(2).split('.');
    let node = root;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys.at(-1)!] = 'JSON';
    return root;
  }, {}),
);

/** A field of the parsed line `j` (of table alias `alias`): its JSON, its json_type, its text. */
export function field(path: LinePath, alias = ''): { json: string; type: string; text: string } {
  const json = `${alias ? `${alias}.` : ''}j.${path.slice(2).split('.').map((k) => `"${k}"`).join('.')}`;
  return { json, type: `json_type(${json})`, text: `(${json} ->> '$')` };
}

/** The events column each path fills as text, where it is one path's text. */
const EVENTS_TEXT: Record<string, LinePath> = {
  event_id: '$.envelope.id',
  app_id: '$.envelope.app.id',
  app_version: '$.envelope.app.version',
  platform: '$.envelope.app.platform',
  tracker_name: '$.envelope.tracker.name',
  tracker_version: '$.envelope.tracker.version',
  tracker_namespace: '$.envelope.tracker.namespace',
  user_id: '$.envelope.user.userId',
  anonymous_id: '$.envelope.user.anonymousId',
  session_id: '$.envelope.user.sessionId',
  page_url: '$.envelope.page.url',
  page_referrer: '$.envelope.page.referrer',
  page_title: '$.envelope.page.title',
  useragent: '$.envelope.device.userAgent',
  device_language: '$.envelope.device.language',
  device_timezone: '$.envelope.device.timezone',
  device_screen: '$.envelope.device.screen',
  consent_policy_version: '$.envelope.consent.policyVersion',
  consent_source: '$.envelope.consent.source',
  event_schema: '$.envelope.event.schema',
};

/** event_tstamp's text: the time the caller gave, else the device time, as the JS `??`. */
const eventTime = (alias = ''): string => `coalesce(${field('$.envelope.ts.true', alias).text}, ${field('$.envelope.ts.created', alias).text})`;

/** Text the JS date-time check (stageValue's DATE_TIME regex, hours below 24, a real day from year 1) accepts, as DuckDB casts it. */
function dateTimeFits(text: string): string {
  return `(regexp_full_match(${text}, '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-5][0-9](\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})') AND substr(${text}, 12, 2) < '24' AND substr(${text}, 15, 2) < '60' AND NOT starts_with(${text}, '0000') AND TRY_CAST(${text} AS TIMESTAMPTZ) IS NOT NULL)`;
}

function dateFits(text: string): string {
  return `(regexp_full_match(${text}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND NOT starts_with(${text}, '0000') AND TRY_CAST(${text} AS DATE) IS NOT NULL)`;
}

/** A JSON string: its text starts with a quote (cheaper than json_type, which parses it). */
const isText = (json: string): string => `starts_with(CAST(${json} AS VARCHAR), '"')`;

/** Missing, or JSON null (json_extract gives `null`; from_json gives NULL), by its text. */
const isNull = (json: string): string => `(${json} IS NULL OR CAST(${json} AS VARCHAR) = 'null')`;

/** Missing or JSON null: NULL in the column, as stageValue gives. */
const absent = (json: string, type: string): string => `(${json} IS NULL OR ${type} = 'NULL')`;

/** Integers JS holds exactly: above 2^53 it rounds, and the JS path stages the rounded value. */
const EXACT_INTEGER = 9007199254740992;

/**
 * Where `json` (a JSON value or NULL when missing; `type` its json_type, `text` its text) fits a
 * column of `type` exactly as stageValue would accept it. Lists take the JS path unless empty or null.
 */
export function fitsSql(type: ColumnType, json: string, jsonType: string, text: string): string {
  const none = absent(json, jsonType);
  switch (type) {
    case 'VARCHAR':
      return `(${isNull(json)} OR ${isText(json)})`;
    case 'JSON':
      return 'true';
    case 'BIGINT':
      return `(${none} OR (${jsonType} IN ('BIGINT', 'UBIGINT') AND abs(TRY_CAST(${json} AS DOUBLE)) <= ${EXACT_INTEGER}))`;
    case 'DOUBLE':
      return `(${none} OR (${jsonType} IN ('BIGINT', 'UBIGINT', 'DOUBLE') AND isfinite(TRY_CAST(${json} AS DOUBLE))))`;
    case 'BOOLEAN':
      return `(${none} OR ${jsonType} = 'BOOLEAN')`;
    case 'TIMESTAMPTZ':
      return `(${isNull(json)} OR (${isText(json)} AND ${dateTimeFits(text)}))`;
    case 'DATE':
      return `(${isNull(json)} OR (${isText(json)} AND ${dateFits(text)}))`;
    default:
      return none;
  }
}

/** The stored value of a JSON value that fits `type` (fitsSql). */
export function valueSql(type: ColumnType, json: string, jsonType: string, text: string): string {
  switch (type) {
    case 'VARCHAR':
      return text;
    case 'JSON':
      return `CASE WHEN ${jsonType} = 'NULL' THEN NULL ELSE ${json} END`;
    case 'TIMESTAMPTZ':
    case 'DATE':
      return `CAST(${text} AS ${type})`;
    default:
      return `CAST(${json} AS ${type})`;
  }
}

/** The JSON pointer of a top-level property (DuckDB reads paths that start with `/` as RFC 6901). */
export function pointer(property: string): string {
  return `/${property.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * Where a parsed line's envelope is one the JS path takes whole into `events`: a receive time, an
 * id, a schema, device times as stageValue accepts them (event_tstamp in UTC, so its day is its
 * first ten characters as the JS path takes it), text fields as text, entities a list or missing.
 */
export const ENVELOPE_FITS_SQL = [
  ...(['$.receivedAt', '$.envelope.ts.created'] as const).map((path) => `${isText(field(path).json)} AND ${dateTimeFits(field(path).text)}`),
  `${isText(field('$.envelope.id').json)} AND ${field('$.envelope.id').text} <> ''`,
  isText(field('$.envelope.event.schema').json),
  ...(['$.envelope.ts.sent', '$.envelope.ts.true'] as const).map((path) => fitsSql('TIMESTAMPTZ', field(path).json, field(path).type, field(path).text)),
  `substr(${eventTime()}, 11, 1) = 'T' AND ends_with(${eventTime()}, 'Z')`,
  ...Object.values(EVENTS_TEXT).map((path) => fitsSql('VARCHAR', field(path).json, field(path).type, field(path).text)),
  fitsSql('BIGINT', field('$.envelope.user.sessionIndex').json, field('$.envelope.user.sessionIndex').type, ''),
  // `entities_type`: the entities' JSON type where from_json gave NULL (missing, or a JSON null the JS path refuses).
  `CASE WHEN ${field('$.envelope.entities').json} IS NULL THEN entities_type IS NULL ELSE ${field('$.envelope.entities').type} = 'ARRAY' END`,
]
  .map((p) => `(${p})`)
  .join(' AND ');

/**
 * The `events` value of each column (EVENTS_COLUMNS names) from a parsed line `p` joined with its
 * schema's parts `k` (vendor, name, version); `loadedAt` is the batch's load time.
 */
export function eventsValueSql(column: string, loadedAt: string): string {
  const text = EVENTS_TEXT[column];
  if (text) return field(text, 'p').text;
  const time = (path: LinePath): string => `CAST(${field(path, 'p').text} AS TIMESTAMPTZ)`;
  switch (column) {
    case 'event_tstamp':
      return `CAST(${eventTime('p')} AS TIMESTAMPTZ)`;
    case 'event_date':
      return `CAST(substr(${eventTime('p')}, 1, 10) AS DATE)`;
    case 'dvce_created_tstamp':
      return time('$.envelope.ts.created');
    case 'dvce_sent_tstamp':
      return time('$.envelope.ts.sent');
    case 'true_tstamp':
      return time('$.envelope.ts.true');
    case 'collector_tstamp':
      return time('$.receivedAt');
    case 'load_tstamp':
      return `CAST(${quoteText(loadedAt)} AS TIMESTAMPTZ)`;
    case 'session_index':
      return `CAST(${field('$.envelope.user.sessionIndex', 'p').json} AS BIGINT)`;
    case 'consent_purposes': {
      const purposes = field('$.envelope.consent.purposes', 'p');
      return valueSql('JSON', purposes.json, purposes.type, purposes.text);
    }
    case 'event_vendor':
      return 'k.vendor';
    case 'event_name':
      return 'k.name';
    case 'event_version':
      return 'k.version';
    default:
      throw new Error(`the DuckDB fast path has no value for events.${column}`);
  }
}

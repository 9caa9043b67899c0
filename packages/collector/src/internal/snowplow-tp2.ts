import { CONSENT_SCHEMA, TP2_FIELDS as F, TP2_SELF_DESCRIBING_FIELDS as SD, TP2_PATH } from '@tracklane/snowplow';
import { v7 as uuidV7 } from 'uuid';
import { RefusedEvent } from './batch-check.js';
import { CollectorError, CollectorErrorCode } from './errors.js';
import { PAGE_PING_SCHEMA, PAGE_VIEW_SCHEMA, STRUCTURED_EVENT_SCHEMA } from './snowplow-schemas.js';

/**
 * The Snowplow tracker protocol (tp2) as the collector reads it: `POST
 * /com.snowplowanalytics.snowplow/tp2` with a `payload_data` body, or one payload in the query
 * string of a GET (PIXEL_PATH), each payload mapped back to a
 * Tracklane envelope (the inverse of `@tracklane/snowplow`'s mapping, the envelope table of docs/design.md),
 * so existing Snowplow trackers can send to the native collector during a migration. The path and
 * the field names are `@tracklane/snowplow`'s (TP2_FIELDS): one table for both directions.
 */
export { TP2_PATH };
/**
 * Snowplow's pixel endpoint: a GET with one payload in its query string, as Snowplow's trackers send
 * with `eventMethod: 'get'` (and pixel tags, AMP, e-mail opens). A Snowplow collector reads a GET of
 * the tp2 path, and of `/ice.png` (the oldest JavaScript trackers' pixel), the same way.
 */
export const PIXEL_PATH = '/i';
export const LEGACY_PIXEL_PATH = '/ice.png';

const PAYLOAD_DATA = /^iglu:com\.snowplowanalytics\.snowplow\/payload_data\/jsonschema\/1-0-[0-4]$/;
const UNSTRUCT_EVENT = /^iglu:com\.snowplowanalytics\.snowplow\/unstruct_event\/jsonschema\/1-0-\d+$/;
const CONTEXTS = /^iglu:com\.snowplowanalytics\.snowplow\/contexts\/jsonschema\/1-0-\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The payloads of a tp2 body, each mapped (envelopeFromPayload); throws a CollectorError: BATCH_SHAPE
 * for another shape, BATCH_TOO_LARGE (413) for more than `maxPayloads`, counted before any is
 * mapped: mapping 700,000 of them would hold the event loop for seconds before that answer.
 */
export function envelopesFromTp2(body: unknown, receivedAt: number, maxPayloads = Number.POSITIVE_INFINITY): unknown[] {
  const { schema, data } = (typeof body === 'object' && body !== null ? body : {}) as { schema?: unknown; data?: unknown };
  if (typeof schema !== 'string' || !PAYLOAD_DATA.test(schema) || !Array.isArray(data)) {
    throw new CollectorError(CollectorErrorCode.BATCH_SHAPE, 'body must be a payload_data object: {"schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4", "data": [...]}');
  }
  if (data.length > maxPayloads) throw new CollectorError(CollectorErrorCode.BATCH_TOO_LARGE, `more than ${maxPayloads} events in one batch`);
  return data.map((payload) => envelopeFromPayload(payload, receivedAt));
}

/**
 * The payload of a GET (`/i`, tp2): the query string's parameters, less the write key (`key`), which
 * is never stored. `undefined` when nothing else is there.
 */
export function payloadFromQuery(params: URLSearchParams): Record<string, string> | undefined {
  const payload: Record<string, string> = {};
  for (const [key, value] of params) if (key !== 'key') payload[key] = value;
  return Object.keys(payload).length > 0 ? payload : undefined;
}

/**
 * One tracker-protocol payload as an envelope, or a RefusedEvent naming the field that cannot be
 * mapped (an unsupported event type `e`, an unreadable `ue_pr` / `co`): the bad store keeps the
 * payload as it came. Values are not checked here: the event's schema does that, like for any event.
 * A payload without `eid` (a hand-made pixel) gets a new id, and one without `dtm` or `stm` is
 * created at `receivedAt` (epoch ms), as Snowplow's enrichment does with its collector time.
 */
export function envelopeFromPayload(payload: unknown, receivedAt: number): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return new RefusedEvent(payload, undefined, ['/: a tracker protocol payload must be an object']);
  }
  const p = payload as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof p[key] === 'string' ? p[key] : undefined);
  const eid = text(F.id);
  const refuse = (error: string): RefusedEvent => new RefusedEvent(payload, eid, [error]);

  const type = text('e');
  const eventOf = type === undefined ? undefined : EVENTS.get(type);
  if (!eventOf) return refuse(type === undefined ? '/e: missing tracker protocol event type' : `/e: unsupported tracker protocol event type ${JSON.stringify(type)}`);
  const event = eventOf(p, text);
  if (typeof event === 'string') return refuse(event);
  const contexts = selfDescribingJson(text(SD.entities.json), text(SD.entities.base64), CONTEXTS);
  if (contexts === null) return refuse(`/${text(SD.entities.json) !== undefined ? SD.entities.json : SD.entities.base64}: not a readable contexts self-describing JSON`);
  const entities = Array.isArray(contexts) ? (contexts as { schema?: unknown }[]) : [];
  const consentEntity = entities.find((entity) => entity?.schema === CONSENT_SCHEMA) as { data?: unknown } | undefined;
  const others = entities.filter((entity) => entity?.schema !== CONSENT_SCHEMA);

  const sent = isoOf(text(F['ts.sent']));
  const created = isoOf(text(F['ts.created'])) ?? sent ?? new Date(receivedAt).toISOString();
  const envelope: Record<string, unknown> = {
    // Enrich accepts an upper-case eid and stores it lower-cased.
    id: eid === undefined ? uuidV7({ msecs: receivedAt }) : UUID.test(eid) ? eid.toLowerCase() : eid,
    event,
    ...(others.length > 0 ? { entities: others } : {}),
    ts: defined({ created, sent, true: isoOf(text(F['ts.true'])) }),
    app: defined({ id: text(F['app.id']), platform: text(F['app.platform']) }),
    tracker: { ...trackerOfTv(text(F.tracker) ?? ''), ...defined({ namespace: text(F['tracker.namespace']) }) },
    user: defined({
      anonymousId: text(F['user.anonymousId']),
      userId: text(F['user.userId']),
      sessionId: text(F['user.sessionId']),
      sessionIndex: integerOf(text(F['user.sessionIndex'])),
    }),
    consent: consentEntity?.data ?? { purposes: {} },
  };
  const page = defined({ url: text(F['page.url']), referrer: text(F['page.referrer']), title: text(F['page.title']) });
  if (Object.keys(page).length > 0) envelope.page = page;
  const device = defined({ userAgent: text(F['device.userAgent']), language: text(F['device.language']), timezone: text(F['device.timezone']), screen: text(F['device.screen']) });
  if (Object.keys(device).length > 0) envelope.device = device;
  return envelope;
}

type SelfDescribing = { schema: string; data: Record<string, unknown> };

/**
 * The event of each supported type `e`, or the reason it cannot be read. Page views, page pings and
 * structured events get the schemas Snowplow's enrichment names them by (snowplow-schemas.ts); their
 * fields keep the values sent (numbers read from text), so their schema names any wrong one.
 */
const EVENTS = new Map<string, (p: Record<string, unknown>, text: (key: string) => string | undefined) => SelfDescribing | string>([
  [
    'ue',
    (_, text) => {
      const { json, base64 } = SD.event;
      const event = selfDescribingJson(text(json), text(base64), UNSTRUCT_EVENT);
      if (event === undefined) return `/${json}: missing: a self-describing event (e=ue) needs ${json} or ${base64}`;
      if (event === null) return `/${text(json) !== undefined ? json : base64}: not a readable unstruct_event self-describing JSON`;
      return event as SelfDescribing;
    },
  ],
  ['pv', () => ({ schema: PAGE_VIEW_SCHEMA, data: {} })],
  [
    'pp',
    (p) => ({
      schema: PAGE_PING_SCHEMA,
      data: defined({ minXOffset: numberOf(p.pp_mix), maxXOffset: numberOf(p.pp_max), minYOffset: numberOf(p.pp_miy), maxYOffset: numberOf(p.pp_may) }),
    }),
  ],
  ['se', structuredEvent],
  // The oldest JavaScript trackers' structured events, which enrich still reads.
  ['ev', structuredEvent],
]);

function structuredEvent(p: Record<string, unknown>): SelfDescribing {
  const field = (name: string): unknown => given(p[`se_${name}`]) ?? given(p[`ev_${name}`]);
  return {
    schema: STRUCTURED_EVENT_SCHEMA,
    data: defined({ category: field('ca'), action: field('ac'), label: field('la'), property: field('pr'), value: numberOf(field('va')) }),
  };
}

/** Trackers leave out empty fields: an empty one (a pixel's unfilled placeholder) is not set. */
function given(value: unknown): unknown {
  return value === '' ? undefined : value;
}

/**
 * A number sent as text becomes that number; anything else stays as it came, for the schema to
 * refuse. Like enrich, `""` and `"null"` (an old JavaScript tracker's bug) are no value.
 */
function numberOf(value: unknown): unknown {
  if (value === '' || value === 'null') return undefined;
  if (typeof value !== 'string' || !DECIMAL.test(value)) return value;
  const number = Number(value);
  return Number.isFinite(number) ? number : value;
}

/** `tv` is `<name>-<version>` (`js-4.1.0`, `tracklane-node-0.1.0`): split before the first `-<digit>`. */
export function trackerOfTv(tv: string): { name: string; version: string } {
  const match = /^(.+?)-(\d.*)$/s.exec(tv);
  return match ? { name: match[1]!, version: match[2]! } : { name: tv, version: '' };
}

/**
 * The `data` of a self-describing JSON sent as JSON or base64(url): `undefined` when absent, `null`
 * when present but unreadable or of another schema.
 */
function selfDescribingJson(json: string | undefined, base64: string | undefined, schema: RegExp): unknown {
  if (json === undefined && base64 === undefined) return undefined;
  try {
    const parsed = JSON.parse(json ?? Buffer.from(base64!, 'base64').toString('utf8')) as { schema?: unknown; data?: unknown };
    return typeof parsed.schema === 'string' && schema.test(parsed.schema) && parsed.data !== undefined ? parsed.data : null;
  } catch {
    return null;
  }
}

function isoOf(epochMs: string | undefined): string | undefined {
  if (epochMs === undefined || !/^\d{1,15}$/.test(epochMs)) return undefined;
  return new Date(Number(epochMs)).toISOString();
}

function integerOf(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

import { CollectorError, CollectorErrorCode } from './errors.js';

/**
 * The Snowplow tracker protocol (tp2) as the collector reads it: `POST
 * /com.snowplowanalytics.snowplow/tp2` with a `payload_data` body, each payload mapped back to a
 * Tracklane envelope (the inverse of `@tracklane/snowplow`'s mapping, DESIGN.md's envelope table),
 * so existing Snowplow trackers can send to the native collector during a migration.
 */
export const TP2_PATH = '/com.snowplowanalytics.snowplow/tp2';

const PAYLOAD_DATA = /^iglu:com\.snowplowanalytics\.snowplow\/payload_data\/jsonschema\/1-0-[0-4]$/;
const UNSTRUCT_EVENT = /^iglu:com\.snowplowanalytics\.snowplow\/unstruct_event\/jsonschema\/1-0-\d+$/;
const CONTEXTS = /^iglu:com\.snowplowanalytics\.snowplow\/contexts\/jsonschema\/1-0-\d+$/;
/** The consent snapshot, sent by `@tracklane/snowplow` as a context entity. */
const CONSENT_SCHEMA = 'iglu:dev.tracklane/consent/jsonschema/1-0-0';

/** The payloads of a tp2 body, each mapped to an envelope; throws a CollectorError (BATCH_SHAPE) for another shape. */
export function envelopesFromTp2(body: unknown): unknown[] {
  const { schema, data } = (typeof body === 'object' && body !== null ? body : {}) as { schema?: unknown; data?: unknown };
  if (typeof schema !== 'string' || !PAYLOAD_DATA.test(schema) || !Array.isArray(data)) {
    throw new CollectorError(CollectorErrorCode.BATCH_SHAPE, 'body must be a payload_data object: {"schema": "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4", "data": [...]}');
  }
  return data.map(envelopeFromPayload);
}

/**
 * One tracker-protocol payload as an envelope. A payload that cannot be one (not `e=ue`, an
 * unreadable `ue_pr` / `co`) is returned as it came: validation rejects it and the bad store keeps it.
 */
export function envelopeFromPayload(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return payload;
  const p = payload as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof p[key] === 'string' ? p[key] : undefined);
  if (text('e') !== 'ue') return payload;
  const event = selfDescribingJson(text('ue_pr'), text('ue_px'), UNSTRUCT_EVENT);
  const contexts = selfDescribingJson(text('co'), text('cx'), CONTEXTS);
  if (event === undefined || event === null || contexts === null) return payload;
  const entities = Array.isArray(contexts) ? (contexts as { schema?: unknown }[]) : [];
  const consentEntity = entities.find((entity) => entity?.schema === CONSENT_SCHEMA) as { data?: unknown } | undefined;
  const others = entities.filter((entity) => entity?.schema !== CONSENT_SCHEMA);

  const created = isoOf(text('dtm')) ?? isoOf(text('stm'));
  const envelope: Record<string, unknown> = {
    id: text('eid'),
    event,
    ...(others.length > 0 ? { entities: others } : {}),
    ts: defined({ created, sent: isoOf(text('stm')), true: isoOf(text('ttm')) }),
    app: defined({ id: text('aid'), platform: text('p') }),
    tracker: { ...trackerOfTv(text('tv') ?? ''), ...defined({ namespace: text('tna') }) },
    user: defined({ anonymousId: text('duid'), userId: text('uid'), sessionId: text('sid'), sessionIndex: integerOf(text('vid')) }),
    consent: consentEntity?.data ?? { purposes: {} },
  };
  const page = defined({ url: text('url'), referrer: text('refr'), title: text('page') });
  if (Object.keys(page).length > 0) envelope.page = page;
  const device = defined({ userAgent: text('ua'), language: text('lang'), timezone: text('tz'), screen: text('res') });
  if (Object.keys(device).length > 0) envelope.device = device;
  return envelope;
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

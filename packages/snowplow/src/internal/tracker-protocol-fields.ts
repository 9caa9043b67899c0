/**
 * Which tracker-protocol (tp2) field carries which envelope field: the envelope table of
 * docs/design.md as code. `toTrackerPayload` writes payloads by it and the collector reads them back
 * by it, so the two sides of the mapping cannot drift apart. Keys are envelope paths; the order is
 * the one a payload lists its fields in.
 */
export const TP2_FIELDS = {
  /** The event id; the collector lower-cases an upper-case UUID, as Snowplow's enrichment does. */
  id: 'eid',
  /** `<tracker.name>-<tracker.version>` (trackerVersion). */
  tracker: 'tv',
  'tracker.namespace': 'tna',
  'app.id': 'aid',
  'app.platform': 'p',
  /** The times are epoch milliseconds in tp2, ISO 8601 texts in the envelope. */
  'ts.created': 'dtm',
  'ts.sent': 'stm',
  'ts.true': 'ttm',
  'user.anonymousId': 'duid',
  'user.userId': 'uid',
  'user.sessionId': 'sid',
  /** An integer in the envelope, its decimal text in tp2. */
  'user.sessionIndex': 'vid',
  'page.url': 'url',
  'page.referrer': 'refr',
  'page.title': 'page',
  'device.userAgent': 'ua',
  'device.language': 'lang',
  'device.timezone': 'tz',
  'device.screen': 'res',
} as const;

/**
 * The tp2 fields of the self-describing event and of the context entities: JSON text, or the same
 * base64url-encoded (`encodeBase64`). A reader takes either.
 */
export const TP2_SELF_DESCRIBING_FIELDS = {
  event: { json: 'ue_pr', base64: 'ue_px' },
  entities: { json: 'co', base64: 'cx' },
} as const;

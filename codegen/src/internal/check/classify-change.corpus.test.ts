import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSchemas } from '../load/load-schemas.js';
import { changeRank, formatSchemaVer } from '../schemaver.js';
import { validUnder } from './classify-change.support.js';
import { checkVersions } from './check-versions.js';

const CORPUS = join(import.meta.dirname, '../../../../test/corpora/iglu-central/schemas');

/**
 * Every bump in Iglu Central's history that is smaller than the change: schema, from, to, the
 * declared bump, the kind found, and where. Each comes with a witness, checked below.
 */
const TOO_SMALL = [
  ['com.iterable/system_webhook', '1-0-0', '1-0-1', 'ADDITION', 'REVISION', '/properties/userId'],
  ['com.snowplowanalytics.accelerators.travel/schedule_update', '1-0-0', '1-0-1', 'ADDITION', 'REVISION', '/properties/schedule/maxLength'],
  ['com.snowplowanalytics.mobile/remote_config', '1-0-0', '1-0-1', 'ADDITION', 'REVISION', '/properties/configurationVersion/maximum'],
  ['com.snowplowanalytics.snowplow.badrows/loader_runtime_error', '1-0-0', '1-0-1', 'ADDITION', 'MODEL', '/properties/payload'],
  ['com.snowplowanalytics.snowplow.enrichments/bot_detection_enrichment_config', '1-0-0', '1-0-1', 'ADDITION', 'MODEL', '/properties/parameters/properties/useClientSideDetection'],
  ['com.snowplowanalytics.snowplow.storage/shredding_complete', '2-0-0', '2-0-1', 'ADDITION', 'REVISION', '/properties/count/properties/bad'],
  ['com.snowplowanalytics.snowplow.storage/snowflake_config', '1-0-2', '1-0-3', 'ADDITION', 'REVISION', '/properties/auth/oneOf/3'],
];

describe("SchemaVer over Iglu Central's version history (538 JSON Schemas, every consecutive pair)", { timeout: 120_000 }, () => {
  const load = loadSchemas([CORPUS]);
  const { steps, errors, warnings } = checkVersions(load.schemas);

  it('classifies all 114 version steps', () => {
    expect(load.schemas).toHaveLength(538);
    expect(steps).toHaveLength(114);
  });

  it('backs every REVISION and MODEL it finds with a witness: valid under the old version, invalid under the new', () => {
    const breaking = steps.flatMap((s) => s.changes.filter((c) => c.kind !== 'ADDITION' && !c.undecided).map((c) => ({ s, c })));
    expect(breaking.length).toBeGreaterThan(100);
    for (const { s, c } of breaking) {
      const where = `${s.to.uri}#${c.pointer}: ${JSON.stringify(c.witness)?.slice(0, 200)}`;
      expect(validUnder(s.from.schema, c.witness, 'old'), where).toBe(true);
      expect(validUnder(s.to.schema, c.witness, 'new'), where).toBe(false);
    }
  });

  it('flags exactly the bumps that are too small, each with its witness in the error', () => {
    const flagged = steps
      .filter((s) => changeRank(s.real) > changeRank(s.declared))
      .map((s) => [`${s.to.vendor}/${s.to.name}`, formatSchemaVer(s.from.version), formatSchemaVer(s.to.version), s.declared, s.real, s.changes.find((c) => c.kind === s.real && !c.undecided)!.pointer]);
    expect(flagged).toEqual(TOO_SMALL);
    expect(errors.map((e) => e.pointer)).toEqual(TOO_SMALL.map((f) => f[5]));
    for (const e of errors) expect(e.message).toMatch(/; valid under \d+-\d+-\d+, invalid under \d+-\d+-\d+: [[{"\d]/);
  });

  it('leaves no step it cannot decide', () => {
    expect(steps.flatMap((s) => s.changes.filter((c) => c.undecided))).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

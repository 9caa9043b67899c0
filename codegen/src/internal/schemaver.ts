/** SchemaVer `MODEL-REVISION-ADDITION` (https://docs.snowplow.io/docs/api-reference/iglu/common-architecture/schemaver/). */
export interface SchemaVer {
  readonly model: number;
  readonly revision: number;
  readonly addition: number;
}

/** The three kinds of change between two versions, from the smallest to the largest. */
export type ChangeKind = 'ADDITION' | 'REVISION' | 'MODEL';

const SCHEMAVER = /^([1-9]\d*)-(0|[1-9]\d*)-(0|[1-9]\d*)$/;

export function parseSchemaVer(text: string): SchemaVer | undefined {
  const m = SCHEMAVER.exec(text);
  if (!m) return undefined;
  return { model: Number(m[1]), revision: Number(m[2]), addition: Number(m[3]) };
}

export function formatSchemaVer(v: SchemaVer): string {
  return `${v.model}-${v.revision}-${v.addition}`;
}

export function compareSchemaVer(a: SchemaVer, b: SchemaVer): number {
  return a.model - b.model || a.revision - b.revision || a.addition - b.addition;
}

/** The bump a version pair declares: which of the three numbers went up. */
export function declaredBump(from: SchemaVer, to: SchemaVer): ChangeKind {
  if (to.model !== from.model) return 'MODEL';
  if (to.revision !== from.revision) return 'REVISION';
  return 'ADDITION';
}

/** Ranks change kinds so a declared bump can be compared to a real change. */
export function changeRank(kind: ChangeKind): number {
  return kind === 'ADDITION' ? 0 : kind === 'REVISION' ? 1 : 2;
}

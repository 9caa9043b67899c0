/**
 * Where stored records come from. A source is read from positions the target keeps (its load
 * manifest): the loader hands it the positions it last committed, applies what it read and the new
 * positions in one transaction, then tells the source they are committed. So a crash anywhere
 * resumes from the last commit, and nothing is loaded twice.
 *
 * The file raw store is one source (keys: part files, positions: byte offsets); a Kafka consumer
 * group fits the same shape (keys: `topic/partition`, positions: the next offset, `committed`
 * commits them to the group).
 */
export interface Source {
  /** Names the source in the manifest and in `status` (a store's path, a topic). */
  readonly name: string;
  /** At most `maxLines` lines after `positions` (what the target committed last), and the positions after them. */
  read(positions: ReadonlyMap<string, SourcePosition>, maxLines: number): Promise<SourceBatch>;
  /**
   * `read` may be called again with positions past the committed ones before `committed` is (it
   * keeps no state between reads, as the file raw store): the loader then reads and builds the next
   * batch while the target writes the last. A source that holds its last batch until it is
   * committed (a Kafka consumer) leaves it unset. @default false
   */
  readonly readsAhead?: boolean;
  /** Per key, what is loaded and what is waiting, for `status`. */
  backlog(positions: ReadonlyMap<string, SourcePosition>): Promise<SourceBacklog[]>;
  /** Called once the target committed `positions` (a Kafka source commits its offsets here). @default nothing */
  committed?(positions: readonly SourcePosition[]): Promise<void>;
  close?(): Promise<void>;
}

/** Where reading a key stopped: the manifest's row. */
export interface SourcePosition {
  key: string;
  /** What the key holds: good records or the collector's bad ones. */
  kind: 'good' | 'bad';
  /** A byte offset (file) or the next offset (Kafka partition). */
  offset: number;
  /**
   * What the source finds just before `offset` when the key is still the one it read: a file's last
   * bytes before the offset. A mismatch means the file was rewritten under the loader (a
   * collector cut back lines it never acknowledged, a file replaced): it is read again from the
   * start, which the event id keys make harmless. Empty when the source needs none.
   */
  fingerprint: string;
}

/** One stored record as its source holds it. */
export interface StoredLine {
  kind: 'good' | 'bad';
  /** The key it was read from, and where in it (byte offset of the line, Kafka offset). */
  key: string;
  offset: number;
  text: string;
  /** The line was longer than the loader holds (`text` is its head): quarantined as LINE_TOO_LONG. */
  truncated: boolean;
}

export interface SourceBatch {
  lines: StoredLine[];
  /** The new position of every key the batch read from (also of keys whose only lines were empty). */
  positions: SourcePosition[];
  /** Keys found rewritten under the loader (see `SourcePosition.fingerprint`) and read again from the start. */
  rewritten: string[];
}

export interface SourceBacklog {
  key: string;
  kind: 'good' | 'bad';
  /** Bytes (or messages) loaded. */
  loaded: number;
  /** Bytes (or messages) there are now; `total - loaded` is pending. */
  total: number;
}

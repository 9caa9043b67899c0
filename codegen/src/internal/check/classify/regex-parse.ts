/** The parse tree of the regular expressions `sampleMatching` and `longestMatch` read. */
export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'anchor'; at: 'start' | 'end' }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; node: Node; min: number; max: number };

/** The tree of a pattern, or undefined for what it does not read (lookarounds, backreferences). */
export function parse(pattern: string): Node | undefined {
  try {
    const parser = new Parser(pattern);
    const tree = parser.alternatives();
    return parser.done() ? tree : undefined;
  } catch {
    return undefined;
  }
}

/** One character each escape class stands for in a sample. */
const CLASS_ESCAPES: Record<string, string> = { d: '0', w: 'a', s: ' ', D: 'a', W: '-', S: 'a' };
const CONTROL_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' };
/** Characters tried, in order, for negated classes. */
const ANY = 'a0A_-. x';

class Parser {
  private at = 0;
  constructor(private readonly source: string) {}

  done(): boolean {
    return this.at === this.source.length;
  }

  alternatives(): Node {
    const options = [this.sequence()];
    while (this.peek() === '|') {
      this.at++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (!this.done() && this.peek() !== '|' && this.peek() !== ')') items.push(this.quantified(this.atom()));
    return { kind: 'seq', items };
  }

  private atom(): Node {
    const c = this.next();
    if (c === '^') return { kind: 'anchor', at: 'start' };
    if (c === '$') return { kind: 'anchor', at: 'end' };
    if (c === '.') return { kind: 'text', text: 'a' };
    if (c === '(') {
      if (this.source.startsWith('?:', this.at)) this.at += 2;
      else if (this.peek() === '?') throw new Error('lookaround');
      const inner = this.alternatives();
      if (this.next() !== ')') throw new Error('unclosed group');
      return inner;
    }
    if (c === '[') return { kind: 'text', text: this.charClass() };
    if (c === '\\') return { kind: 'text', text: this.escape() };
    return { kind: 'text', text: c };
  }

  private escape(): string {
    const c = this.next();
    if (c in CLASS_ESCAPES) return CLASS_ESCAPES[c]!;
    if (c in CONTROL_ESCAPES) return CONTROL_ESCAPES[c]!;
    if (c === 'b' || c === 'B' || /[1-9]/.test(c)) throw new Error('word boundary or backreference');
    if (c === 'u' && /^[0-9a-fA-F]{4}/.test(this.source.slice(this.at))) {
      const hex = this.source.slice(this.at, this.at + 4);
      this.at += 4;
      return String.fromCharCode(parseInt(hex, 16));
    }
    return c;
  }

  /** `[...]`: its first member, or for `[^...]` the first of {@link ANY} it does not hold. */
  private charClass(): string {
    const negated = this.peek() === '^';
    if (negated) this.at++;
    const members: [string, string][] = [];
    do {
      let c = this.next();
      if (c === '\\') c = this.escape();
      if (this.peek() === '-' && this.source[this.at + 1] !== ']') {
        this.at++;
        let end = this.next();
        if (end === '\\') end = this.escape();
        members.push([c, end]);
      } else {
        members.push([c, c]);
      }
    } while (this.peek() !== ']');
    this.at++;
    if (!negated) return members[0]![0];
    const pick = [...ANY].find((ch) => !members.some(([lo, hi]) => ch >= lo && ch <= hi));
    if (pick === undefined) throw new Error('no character outside the class');
    return pick;
  }

  private quantified(node: Node): Node {
    const c = this.peek();
    let min: number;
    let max: number;
    const braces = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.at));
    if (c === '?') [min, max] = [0, 1];
    else if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (braces) [min, max] = [Number(braces[1]), braces[2] === undefined ? Number(braces[1]) : braces[3] === '' ? Infinity : Number(braces[3])];
    else return node;
    this.at += braces && c === '{' ? braces[0].length : 1;
    if (this.peek() === '?') this.at++; // lazy: the same strings
    return { kind: 'repeat', node, min, max };
  }

  private peek(): string | undefined {
    return this.source[this.at];
  }

  private next(): string {
    const c = this.source[this.at++];
    if (c === undefined) throw new Error('unexpected end');
    return c;
  }
}

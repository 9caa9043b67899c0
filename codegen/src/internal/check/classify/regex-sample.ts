/**
 * A string that matches a regular expression, for the common shapes of `pattern` in schemas:
 * literals, escapes (`\d`, `\w`, `\s`, `\.`), classes (`[a-z0-9_]`, `[^,]`), groups with
 * alternatives, quantifiers (`?`, `*`, `+`, `{n,m}`) and anchors. Each repetition takes its
 * smallest count, or `extra` more. Returns undefined for what it does not read (lookarounds,
 * backreferences); the caller checks the result with the real engine anyway.
 */
export function sampleMatching(pattern: string, extra = 0): string | undefined {
  try {
    const parser = new Parser(pattern, extra);
    const out = parser.alternatives();
    return parser.done() ? out : undefined;
  } catch {
    return undefined;
  }
}

const CLASS_ESCAPES: Record<string, string> = { d: '0', w: 'a', s: ' ', D: 'a', W: '-', S: 'a' };
const CONTROL_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v' };
/** Characters tried, in order, for `.` and negated classes. */
const ANY = 'a0A_-. x';

class Parser {
  private at = 0;
  constructor(private readonly source: string, private readonly extra: number) {}

  done(): boolean {
    return this.at === this.source.length;
  }

  /** `a|b|c`: the first alternative. */
  alternatives(): string {
    const first = this.sequence();
    while (this.peek() === '|') {
      this.at++;
      this.sequence();
    }
    return first;
  }

  private sequence(): string {
    let out = '';
    while (!this.done() && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      out += atom.repeat(this.quantifier());
    }
    return out;
  }

  private atom(): string {
    const c = this.next();
    if (c === '^' || c === '$') return '';
    if (c === '.') return 'a';
    if (c === '(') {
      if (this.source.startsWith('?:', this.at)) this.at += 2;
      else if (this.peek() === '?') throw new Error('lookaround');
      const inner = this.alternatives();
      if (this.next() !== ')') throw new Error('unclosed group');
      return inner;
    }
    if (c === '[') return this.charClass();
    if (c === '\\') return this.escape();
    return c;
  }

  private escape(): string {
    const c = this.next();
    if (c in CLASS_ESCAPES) return CLASS_ESCAPES[c]!;
    if (c in CONTROL_ESCAPES) return CONTROL_ESCAPES[c]!;
    if (c === 'b' || c === 'B') return '';
    if (/[1-9]/.test(c)) throw new Error('backreference');
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
    let first = true;
    while (first || this.peek() !== ']') {
      first = false;
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
    }
    this.at++;
    if (!negated) return members[0]![0];
    const inClass = (ch: string): boolean => members.some(([lo, hi]) => ch >= lo && ch <= hi);
    const pick = [...ANY].find((ch) => !inClass(ch));
    if (pick === undefined) throw new Error('no character outside the class');
    return pick;
  }

  private quantifier(): number {
    const c = this.peek();
    let count = 1;
    if (c === '?' || c === '*') count = 0;
    else if (c === '+') count = 1;
    else if (c === '{' && /^\{\d+(,\d*)?\}/.test(this.source.slice(this.at))) {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.at))!;
      this.at += m[0].length;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (this.peek() === '?') this.at++;
      return Math.min(min + this.extra, max);
    } else {
      return 1;
    }
    this.at++;
    if (this.peek() === '?') this.at++;
    return c === '?' ? Math.min(this.extra, 1) : count + this.extra;
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

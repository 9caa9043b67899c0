import { BACKSLASH, CARRIAGE_RETURN, CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, LINE_FEED, OPEN_BRACE, OPEN_BRACKET, QUOTE, SPACE, TAB } from './char-codes.js';

/**
 * Where one event of a batch sits in the body's text, so a good event can be stored as the very text
 * it arrived as instead of being serialized again (that was a fifth of the collector's time).
 */
export interface EventSpan {
  start: number;
  end: number;
  /**
   * Object members written in the event's text (`"key": value` pairs, at every depth), or -1 when the
   * text cannot be one JSONL line (a line break between its tokens). The text says exactly what
   * JSON.parse made of it only when no object repeats a key, which holds when this count equals the
   * keys of the parsed event (`countMembers`): a repeated key collapses into one.
   */
  members: number;
}


/**
 * The spans of the elements of the top-level `events` array of a batch body. `text` must be JSON that
 * JSON.parse accepted (nothing is validated here). Undefined when the spans could be wrong: no
 * top-level object, an escaped key (it could spell `events`), or `events` given twice.
 */
export function locateEvents(text: string): EventSpan[] | undefined {
  let at = skipWhitespace(text, 0);
  if (text.charCodeAt(at) !== OPEN_BRACE) return undefined;
  at = skipWhitespace(text, at + 1);
  let spans: EventSpan[] | undefined;
  while (text.charCodeAt(at) === QUOTE) {
    const keyEnd = endOfString(text, at);
    const key = text.slice(at + 1, keyEnd - 1);
    if (key.includes('\\')) return undefined;
    at = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1); // past the colon
    if (key === 'events') {
      if (spans || text.charCodeAt(at) !== OPEN_BRACKET) return undefined;
      spans = [];
      at = skipWhitespace(text, at + 1);
      while (text.charCodeAt(at) !== CLOSE_BRACKET) {
        const span = { start: at, end: 0, members: 0 };
        at = span.end = endOfValue(text, at, span);
        spans.push(span);
        at = skipWhitespace(text, at);
        if (text.charCodeAt(at) === COMMA) at = skipWhitespace(text, at + 1);
      }
      at++;
    } else {
      at = endOfValue(text, at, undefined);
    }
    at = skipWhitespace(text, at);
    if (text.charCodeAt(at) === COMMA) at = skipWhitespace(text, at + 1);
  }
  return spans;
}

/** Index just past the value starting at `at`; counts its members (and line breaks) into `span`. */
function endOfValue(text: string, at: number, span: EventSpan | undefined): number {
  const first = text.charCodeAt(at);
  if (first === QUOTE) return endOfString(text, at);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number or a literal: up to the next delimiter.
    let end = at + 1;
    for (let code = text.charCodeAt(end); end < text.length && code !== COMMA && code !== CLOSE_BRACE && code !== CLOSE_BRACKET && code > SPACE; code = text.charCodeAt(++end));
    return end;
  }
  let depth = 0;
  let members = 0;
  let lineBreak = false;
  for (let i = at; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      i = endOfString(text, i) - 1;
    } else if (code === COLON) {
      members++;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      if (--depth === 0) {
        if (span) span.members = lineBreak ? -1 : members;
        return i + 1;
      }
    } else if (code === LINE_FEED || code === CARRIAGE_RETURN) {
      lineBreak = true;
    }
  }
  return text.length;
}

/** Index just past the string whose opening quote is at `at`. */
function endOfString(text: string, at: number): number {
  let quote = text.indexOf('"', at + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    quote = text.indexOf('"', quote + 1);
  }
  return text.length;
}

function skipWhitespace(text: string, at: number): number {
  let code = text.charCodeAt(at);
  while (code === SPACE || code === LINE_FEED || code === CARRIAGE_RETURN || code === TAB) code = text.charCodeAt(++at);
  return at;
}

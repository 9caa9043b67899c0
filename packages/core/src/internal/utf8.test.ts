import { describe, expect, it } from 'vitest';
import { utf8Length } from './utf8.js';

describe('utf8Length', () => {
  it.each(['', 'plain ascii {"a":1}', 'é', '€', '😀', 'mixed é€😀 text', '\u007f\u0080\u07ff\u0800\uffff'])('equals the encoded length of %j', (text) => {
    expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });
});

/** Number of bytes `text` takes in UTF-8, without allocating an encoded copy. */
const NON_ASCII = /[\u0080-\uffff]/;

export function utf8Length(text: string): number {
  let bytes = text.length;
  if (!NON_ASCII.test(text)) return bytes; // ASCII only: one byte per unit
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 2; // surrogate pair: 4 bytes for 2 UTF-16 units
      i++;
    }
    else bytes += 2;
  }
  return bytes;
}

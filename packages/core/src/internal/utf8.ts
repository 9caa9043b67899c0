/** Number of bytes `text` takes in UTF-8, without allocating an encoded copy. */
const ASCII_ONLY = /^[\x00-\x7f]*$/;

export function utf8Length(text: string): number {
  let bytes = text.length;
  if (ASCII_ONLY.test(text)) return bytes;
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

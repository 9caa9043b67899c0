/**
 * The first `maxChars` UTF-16 units of `text`, one fewer when the cut would split a surrogate pair:
 * half a pair is a lone surrogate, which strict JSON readers refuse in a stored line.
 */
export function cutText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const code = text.charCodeAt(maxChars - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? maxChars - 1 : maxChars);
}

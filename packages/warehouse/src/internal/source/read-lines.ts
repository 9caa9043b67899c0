import type { promises as fs } from 'node:fs';

export interface ReadLine {
  offset: number;
  text: string;
  truncated: boolean;
}

/** Bytes read at a time; a line longer than this doubles the read until it fits (up to `maxLineBytes`). */
const CHUNK_BYTES = 1 << 20;

/** What a line longer than `maxLineBytes` keeps in quarantine. */
const HEAD_BYTES = 4096;

/**
 * Complete lines of a file from byte `start` (a line start) up to `size`, at most `maxLines`, and
 * the offset after the last one read. Only lines that end in a newline count: a last line without
 * one is still being written (or torn by a crash, which the collector cuts off when it reopens the
 * file), and is left for the next read. Empty lines are skipped (an older collector ended torn
 * lines with one). A line longer than `maxLineBytes` is never held whole: its head is returned,
 * `truncated`, once its end is on disk.
 */
export async function readLines(handle: fs.FileHandle, start: number, size: number, maxLines: number, maxLineBytes: number): Promise<{ lines: ReadLine[]; end: number }> {
  const lines: ReadLine[] = [];
  let position = start;
  let chunk = Math.min(CHUNK_BYTES, maxLineBytes);
  // One buffer for every read (each line is copied out as a string), replaced only when a long line needs a larger one.
  let buffer = Buffer.allocUnsafe(Math.min(chunk, Math.max(0, size - position)));
  while (position < size && lines.length < maxLines) {
    const length = Math.min(chunk, size - position);
    if (buffer.length < length) buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    if (bytesRead === 0) break;
    const bytes = buffer.subarray(0, bytesRead);
    let lineStart = 0;
    let newline: number;
    while (lines.length < maxLines && (newline = bytes.indexOf(0x0a, lineStart)) !== -1) {
      if (newline > lineStart) lines.push({ offset: position + lineStart, text: bytes.toString('utf8', lineStart, newline), truncated: false });
      lineStart = newline + 1;
    }
    if (lineStart > 0) {
      position += lineStart;
      chunk = Math.min(CHUNK_BYTES, maxLineBytes);
      continue;
    }
    // No newline in the whole read: the last line, still being written, or a long one.
    if (position + bytesRead >= size) break;
    if (chunk < maxLineBytes) {
      chunk = Math.min(chunk * 2, maxLineBytes);
      continue;
    }
    const end = await newlineAfter(handle, position + bytesRead, size);
    if (end === -1) break;
    lines.push({ offset: position, text: bytes.toString('utf8', 0, Math.min(HEAD_BYTES, bytesRead)), truncated: true });
    position = end + 1;
    chunk = Math.min(CHUNK_BYTES, maxLineBytes);
  }
  return { lines, end: position };
}

/** The offset of the first newline at or after `from`, or -1 when there is none before `size`. */
async function newlineAfter(handle: fs.FileHandle, from: number, size: number): Promise<number> {
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  for (let position = from; position < size; ) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_BYTES, size - position), position);
    if (bytesRead === 0) return -1;
    const at = buffer.subarray(0, bytesRead).indexOf(0x0a);
    if (at !== -1) return position + at;
    position += bytesRead;
  }
  return -1;
}

import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Iglu layout: `<vendor>/<name>/<format>/<M-R-A>`, with an optional `.json` suffix. */
const VERSION_FILE = /^\d+-\d+-\d+(?:\.json)?$/;

/** A file found in the Iglu layout, with its path split into the four Iglu parts. */
export interface IgluFile {
  readonly file: string;
  readonly vendor: string;
  readonly name: string;
  readonly format: string;
  readonly version: string;
}

/**
 * Lists the schema files under `root`, sorted by path so every later step is independent
 * of directory order. Files that are not named like a version (README, LICENSE) are ignored.
 */
export function walkIglu(root: string): IgluFile[] {
  const found: IgluFile[] = [];
  const visit = (dir: string, parts: string[]): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path, [...parts, entry.name]);
      else if (entry.isFile() && VERSION_FILE.test(entry.name) && parts.length >= 3) {
        const [vendor, name, format] = parts.slice(-3) as [string, string, string];
        found.push({ file: path, vendor, name, format, version: entry.name.replace(/\.json$/, '') });
      }
    }
  };
  visit(root, []);
  return found;
}

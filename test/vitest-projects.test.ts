// The vitest projects are a static list: every package directory must have its project, so a
// package renamed or added without one fails here rather than silently running no tests.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PACKAGE_PROJECTS } from '../vitest.config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('the vitest projects', () => {
  it('cover every package directory (packages/* and codegen), each once, rooted at it', () => {
    const dirs = [...readdirSync(path.join(root, 'packages'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(root, 'packages', d.name)), path.join(root, 'codegen')].sort();
    const roots = PACKAGE_PROJECTS.map((project) => project.test?.root).sort();
    expect(roots).toEqual(dirs);
  });
});

// Flat, type-checked ESLint config for the whole repo (`pnpm lint`). See docs/style.md for the why.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Packages talk through their public entry points only (`@tracklane/core`, never its files). */
const deepImportPatterns = [
  {
    group: ['@tracklane/*/src', '@tracklane/*/src/**', '@tracklane/*/dist', '@tracklane/*/dist/**'],
    message: "Import the package's public entry point (e.g. '@tracklane/core'), not its files.",
  },
  {
    group: ['@tracklane/*/internal', '@tracklane/*/internal/**', '@tracklane/*/*/internal/**'],
    message: "Another package's internals are private: use its public exports.",
  },
  {
    // A relative path into another package's sources: ../../core/src/..., ../packages/core/src/...
    regex: String.raw`^(\.\./)+(packages/)?[\w-]+/src(/|$)`,
    message: "Import the other package by name (e.g. '@tracklane/core'), not by a path into it.",
  },
];

/** core is isomorphic: no browser or Node APIs; platforms reach core through PlatformServices. */
const platformGlobals = [
  // browser
  'window', 'document', 'navigator', 'location', 'history', 'screen', 'self', 'top', 'parent',
  'frames', 'localStorage', 'sessionStorage', 'indexedDB', 'caches', 'XMLHttpRequest', 'WebSocket',
  'Image', 'alert', 'confirm', 'prompt', 'requestAnimationFrame', 'requestIdleCallback',
  'addEventListener', 'removeEventListener', 'dispatchEvent', 'BroadcastChannel',
  // Node
  'process', 'Buffer', 'global', '__dirname', '__filename', 'require', 'module', 'exports',
  'setImmediate', 'clearImmediate',
  // exist in both, but differ per platform or belong to the platform layer
  'fetch', 'Request', 'Response', 'Headers', 'crypto', 'performance',
].map((name) => ({
  name,
  message: 'packages/core is isomorphic: take this from PlatformServices or a platform package.',
}));

const nodeBuiltins = [...new Set(builtinModules.map((name) => name.replace(/^node:/, '')))];

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '**/.tracklane-tmp/**',
      '**/test-results/**',
      '**/generated/**',
      'bench/results/**',
      'examples/**/dist/**',
      '.ci/node24/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: "Name what you export: `export { a } from './a.js'` / `export type { T }`, never `export *`.",
        },
      ],
      'no-restricted-imports': ['error', { patterns: deepImportPatterns }],
      // Comments may need a zero-width space, e.g. to write a `*/` JSON pointer inside JSDoc.
      'no-irregular-whitespace': ['error', { skipComments: true }],
      'no-eval': 'error',
      'no-new-func': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/consistent-type-exports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Plain JS (config files, scripts): no type information.
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Libraries report through hooks and PlatformServices.warn, never the console; bins may print.
    files: ['packages/*/src/**/*.ts', 'codegen/src/**/*.ts'],
    ignores: ['*/src/cli.ts', 'packages/*/src/cli.ts', 'codegen/src/{cli,internal/cli}/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // Tests of core run on Node and may use it (e.g. node:crypto as a reference implementation).
    files: ['packages/core/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test-d.ts'],
    rules: {
      'no-restricted-globals': ['error', ...platformGlobals],
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'packages/core is isomorphic: no Node built-ins.',
          })),
          patterns: [
            ...deepImportPatterns,
            { group: ['node:*'], message: 'packages/core is isomorphic: no Node built-ins.' },
          ],
        },
      ],
    },
  },
  {
    // Benchmarks time internals on purpose and never ship.
    files: ['bench/**'],
    rules: { 'no-restricted-imports': 'off', 'no-console': 'off' },
  },
  {
    // Tests may poke at loosely typed values and fakes.
    files: ['**/*.test.ts', '**/*.test-d.ts', 'test/**/*.ts', '**/test-support.ts', '**/__tests__/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // A generator that throws before its first yield is how a test fakes a failing stream.
      'require-yield': 'off',
      'no-console': 'off',
    },
  },
);

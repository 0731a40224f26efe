// `npm run lint`: type-aware checks for promises that nobody waits for, and the import boundaries of the
// layers (protocol at the bottom; server never VS Code; client never a driver or parser; the webview a
// browser that knows only the protocol). Part of `npm test`; test/unit/lintBoundaries.test.ts proves each block.
import tseslint from 'typescript-eslint';

const dirBan = (dirs) => dirs.map((d) => ({ group: [`**/${d}/**`, `../${d}/*`, `../../${d}/*`], message: `${d}/ is on the other side of the protocol` }));
const ban = (paths, dirs, extra = []) => ['error', { paths, patterns: [...dirBan(dirs), ...extra] }];
const vscode = { name: 'vscode', message: 'only client/ talks to VS Code' };
const engineOnly = ['pg', 'pg-cursor', 'snowflake-sdk', '@electric-sql/pglite', 'libpg-query', 'node-sql-parser'].map((name) => ({
  name,
  message: 'warehouse I/O and SQL parsing live in the engine (server/): ask it through a protocol request',
}));
const browser = [{ group: ['node:*'], message: 'the webview is a browser page' }];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'bench/.peer/**', 'test-results/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  { files: ['protocol/src/**/*.ts'], rules: { 'no-restricted-imports': ban([vscode, ...engineOnly], ['server', 'client', 'webview']) } },
  { files: ['server/src/**/*.ts'], rules: { 'no-restricted-imports': ban([vscode], ['client', 'webview']) } },
  { files: ['client/src/**/*.ts'], rules: { 'no-restricted-imports': ban(engineOnly, ['server', 'webview']) } },
  { files: ['webview/src/**/*.ts'], rules: { 'no-restricted-imports': ban([vscode, ...engineOnly], ['server', 'client'], browser) } },
);

// Lint rules that keep the house readable (CONVENTIONS.md, habit 11): no floating promises, no
// import cycles, and the import boundaries of ARCHITECTURE.md's table.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/** Forbids importing from the named top-level folders (matched anywhere in a relative path). */
function forbid(message, ...folders) {
  return {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: folders.map((f) => `**/${f}/**`), message }] },
    ],
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'proto/gen/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      eqeqeq: ['error', 'always'],
    },
  },
  // ---- import boundaries (ARCHITECTURE.md, "Layout") ----
  { files: ['proto/**/*.ts'], rules: forbid('proto/ imports nothing of Shoal', 'shared', 'manager', 'agent', 'cli', 'e2e', 'bench') },
  { files: ['shared/**/*.ts'], rules: forbid('shared/ imports only proto/', 'manager', 'agent', 'cli', 'e2e', 'bench') },
  { files: ['manager/**/*.ts'], rules: forbid('the manager never imports the agent (they talk through proto/)', 'agent', 'cli', 'e2e', 'bench') },
  { files: ['agent/**/*.ts'], rules: forbid('the agent never imports the manager (they talk through proto/)', 'manager', 'cli', 'e2e', 'bench') },
  {
    files: ['cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/manager/**', '**/agent/**'], message: 'the CLI talks to managers and agents through proto/, never by importing them' },
            { regex: '(^|/)e2e/(?!lab/)', message: 'the CLI may import only e2e/lab (for shoal lab)' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);

// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'recordings/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', {
        object: 'process', property: 'env',
        message: 'Only src/config.ts reads process.env.',
      }],
    },
  },
  { files: ['src/config.ts', 'test/**/*.ts', 'bench/**/*.ts', 'vitest.config.ts'], rules: { 'no-restricted-properties': 'off' } },
);

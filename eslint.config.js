// Type-aware lint of the API (core-api/README.md, "Boundaries"): no `any`, nothing unsafe done
// with one, and the environment read in config.ts only. Nothing is switched off in place: comments
// that would (eslint-disable, @ts-ignore) have no effect or are errors themselves.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    files: ['core-api/src/**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/ban-ts-comment': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings through config.ts (loadConfig).' }],
    },
  },
  {
    files: ['core-api/src/config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);

import js from '@eslint/js';
import angular from 'angular-eslint';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const server = 'fhir-server/src';

/**
 * Imports point down only (ARCHITECTURE.md): http -> fhir -> domain -> storage; auth is pure
 * and importable by all. Each zone lists the folders its files may not import from.
 */
const layering = [
  { target: `${server}/storage`, from: [`${server}/http`, `${server}/fhir`, `${server}/domain`] },
  { target: `${server}/domain`, from: [`${server}/http`, `${server}/fhir`] },
  { target: `${server}/fhir`, from: [`${server}/http`] },
  { target: `${server}/auth`, from: [`${server}/http`, `${server}/fhir`, `${server}/domain`, `${server}/storage`] },
];

/**
 * angular-eslint for a portal: component rules with its selector prefix (classes without a
 * Component suffix, as STYLE.md names them), and template rules with accessibility checks.
 */
function portalRules(folder, prefix) {
  return [
    {
      files: [`${folder}/src/**/*.ts`],
      extends: [...angular.configs.tsRecommended],
      processor: angular.processInlineTemplates,
      rules: {
        '@angular-eslint/component-selector': ['error', { type: 'element', prefix, style: 'kebab-case' }],
        '@angular-eslint/directive-selector': ['error', { type: 'attribute', prefix, style: 'camelCase' }],
        '@angular-eslint/component-class-suffix': 'off',
        '@angular-eslint/directive-class-suffix': 'off',
        '@angular-eslint/prefer-on-push-component-change-detection': 'error',
        '@angular-eslint/prefer-signals': 'error',
      },
    },
    {
      files: [`${folder}/src/**/*.html`],
      extends: [...angular.configs.templateRecommended, ...angular.configs.templateAccessibility],
      rules: {
        '@angular-eslint/template/prefer-control-flow': 'error',
        '@angular-eslint/template/prefer-self-closing-tags': 'error',
      },
    },
  ];
}

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/coverage/**', '**/.data/**', '**/.angular/**', 'bench-results/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'import-x/no-restricted-paths': ['error', { zones: layering }],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'koa', message: 'Only fhir-server/src/http imports koa.' },
            { name: '@koa/router', message: 'Only fhir-server/src/http imports @koa/router.' },
            { name: 'knex', message: 'Only fhir-server/src/storage imports knex.' },
            { name: 'pg', message: 'Only fhir-server/src/storage imports pg.' },
            { name: '@electric-sql/pglite', message: 'Only fhir-server/src/storage imports PGlite.' },
          ],
        },
      ],
    },
  },
  {
    files: [`${server}/http/**/*.ts`, `${server}/app.ts`, 'fhir-server/test/**/*.ts', 'fhir-server/bench/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: [`${server}/storage/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'koa', message: 'storage/ does not know HTTP.' },
            { name: '@koa/router', message: 'storage/ does not know HTTP.' },
          ],
        },
      ],
    },
  },
  ...portalRules('patient-portal', 'pp'),
  ...portalRules('clinician-portal', 'cp'),
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);

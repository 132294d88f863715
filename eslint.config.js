import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Surfaces: the three doors (consumer site, institution portal, operator back office). */
const surfaces = ['web/**/*.ts', 'institution-portal/**/*.ts', 'admin/**/*.ts'];
/** Tests may reach into what they test; the boundaries below are for the product code. */
const testFiles = ['**/*.test.ts'];

/** A database, cache, payment or search SDK by package name (drizzle-orm is the query builder, not listed). */
const sdkImport = (message) => ({ regex: '^(pg|pg-[^/]+|redis|stripe)(/.*)?$|^@(electric-sql|redis|elastic)/', message });
const drizzleImport = { regex: '^drizzle-orm(/.*)?$', message: 'surfaces call services, never the query builder' };
/** From a surface, any server/ path except server/http/**, server/lib/**, server/container and a module's index. */
const surfaceReachesPastServices = {
  regex: '(^|/)server/(?!(http|lib)/|container$|modules/[^/]+(/index)?$)',
  message: 'surfaces import only server/http, server/lib, server/container (types) and a module through its index (server/modules/<m>)',
};
const surfaceUsesContainerValue = {
  regex: '(^|/)server/container$',
  allowTypeImports: true,
  message: 'surfaces take the container as a type only (import type)',
};
/**
 * `../<other>/<file>` from a module file: another module's internals, unless it is its index or a table
 * definition. Import strings are enough because module folders are flat (server/modules/<m>/<file>.ts).
 */
const moduleReachesIntoAnother = {
  regex: '^\\.\\./[^./][^/]*/(?!index$)(?![^/]*\\.schema$)[^/]+$',
  message: "reach another module only through its index.ts (table definitions may be shared through '<other>/<x>.schema')",
};
const serverImportsScriptsOrTests = {
  regex: '^(\\.\\./)+(scripts|test)(/|$)',
  message: 'server/ imports nothing from scripts/ or test/',
};

/**
 * Route handlers read their path params and their caller from the route's typed context (the API's and
 * the pages' route tables), never from the request: the guards (server/http/guards.ts) are what set them.
 */
const handlerReadsRequest = [
  { selector: "MemberExpression[object.name='req'][property.name='params']", message: 'read path params from the route context (`params`), checked by the route table' },
  {
    selector: "TSNonNullExpression > MemberExpression[object.name='req'][property.name=/^(account|institutionId)$/]",
    message: 'read the caller from the route context (`principal`), typed by the guard',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'test-results/', 'coverage/', 'server/db/migrations/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // scripts served to browsers from /assets
    files: ['web/public/**/*.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'script' },
  },
  {
    files: surfaces,
    rules: {
      'no-restricted-imports': ['error', { patterns: [surfaceReachesPastServices, surfaceUsesContainerValue, sdkImport('surfaces call services, never an SDK'), drizzleImport] }],
    },
  },
  {
    files: [...surfaces, 'server/http/**/*.ts'],
    // the guards set the caller; the two route-table builders hand params and caller to the handlers
    ignores: [...testFiles, 'server/http/guards.ts', 'server/http/page-route.ts', 'server/http/api/route-table.ts'],
    rules: { 'no-restricted-syntax': ['error', ...handlerReadsRequest] },
  },
  {
    files: ['server/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': ['error', { patterns: [serverImportsScriptsOrTests] }],
    },
  },
  {
    // Modules import no SDK (drizzle-orm, the query builder, is allowed; clients live in server/adapters)
    // and reach another module only through its index.ts. The one exception: another module's table
    // definitions (`../<other>/<x>.schema`) may be imported for foreign keys and joins.
    files: ['server/modules/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': ['error', { patterns: [serverImportsScriptsOrTests, sdkImport('modules import no SDK: clients live in server/adapters'), moduleReachesIntoAnother] }],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'modules make no network calls: gateways live in server/adapters' }],
    },
  },
);

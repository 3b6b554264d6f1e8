// ESLint (flat config): Next.js core web vitals + TypeScript rules, and the boundaries of
// STYLE.md, as import rules (they hold for `import type` too):
//   only server/** talks to Prisma;
//   app/, components/ and server/ (the web process) never import boot-services/ (bootd), and
//   bootd never imports server/: the two share only lib/ and meet in PostgreSQL and HTTP;
//   components/ import no server/ module (types come from lib/ or props);
//   lib/ is pure code both processes (and the browser) run: it imports nothing of the project
//   outside lib/, no database client, no framework, no Node built-in; lib/node/ is shared code
//   the two Node processes run (it may use Node built-ins) and the browser never loads.
// bootd speaks to PostgreSQL only in boot-services/store/: no other bootd module imports pg or
// holds SQL text (a string or template starting with a statement keyword); its services get
// typed store functions.
// No import cycles (import/no-cycle, dynamic imports included): a module that needs one of its
// importers' parts gets them moved to a third module.
// Tests (`*.test.ts`, `integration/`, `testing/`) may cross the process line: a test drives both
// sides (a bootd suite migrates its database with server/db/testing.ts, a console suite feeds
// events through bootd's writer). scripts/, bench/ and e2e/ are tools that run both processes and
// are held only to the Prisma rule.
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

const prisma = [
  { name: '@prisma/client', message: 'Only server/** talks to Prisma (STYLE.md): call a server/<concept>/queries.ts function.' },
  { name: '@prisma/adapter-pg', message: 'Only server/** talks to Prisma (STYLE.md).' },
];
const noBootd = { regex: '(^|/)boot-services/', message: 'The web process (app/, components/, server/) never imports bootd (boot-services/): shared code goes in lib/.' };
const noServer = { regex: '(^|/)server/', message: 'bootd never imports server/: shared code goes in lib/, data access in boot-services/store/.' };
const noPg = { regex: '^pg(/|$)', message: 'bootd reaches PostgreSQL only through boot-services/store/: add a typed store function there.' };
/** SQL text: a string or template that starts with a statement keyword (upper case, as the store writes SQL). */
const sqlStart = '/^\\s*(SELECT|INSERT|UPDATE|DELETE|WITH|BEGIN|COMMIT|ROLLBACK|LISTEN|NOTIFY|TRUNCATE|ALTER|CREATE|DROP)\\s/';
const noSqlOutsideStore = {
  files: ['boot-services/**'],
  ignores: ['boot-services/store/**', ...['**/*.test.ts', '**/integration/**', '**/testing/**']],
  rules: {
    'no-restricted-syntax': ['error',
      { selector: `Literal[value=${sqlStart}]`, message: 'SQL is written only in boot-services/store/ (bootd\'s data layer).' },
      { selector: `TemplateLiteral > TemplateElement:first-child[value.raw=${sqlStart}]`, message: 'SQL is written only in boot-services/store/ (bootd\'s data layer).' },
    ],
  },
};
const noLibNode = { regex: '(^|/)lib/node/', message: 'lib/node/ uses Node built-ins: the browser never loads it.' };
const noServerInComponents = { regex: '(^|/)server/', message: 'Components import no server/ module, types neither: take them from lib/ or as props.' };
/** For a file `depth` folders below lib/ (lib/x.ts: 0, lib/boot/x.ts: 1): it may climb to lib/, not out of it. */
const libOnlyAt = (depth) => [
  { regex: `^(\\.\\./){${depth + 1}}`, message: 'lib/ imports nothing outside lib/ (STYLE.md).' },
  { regex: '^@/(?!lib/)', message: 'lib/ imports nothing outside lib/ (STYLE.md).' },
  { regex: '^node:', message: 'lib/ also runs in the browser: no Node built-ins.' },
  { regex: '^(pg|react|react-dom|next)(/|$)', message: 'lib/ is pure code: no database client, no framework.' },
];
const libOnly = libOnlyAt(0);
const tests = ['**/*.test.ts', '**/integration/**', '**/testing/**'];

/** One no-restricted-imports rule for a part of the tree (a later matching block replaces an earlier one's options, so each block says all). */
const restrict = (files, paths, patterns = [], ignores = []) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { paths, patterns }] },
});

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: ['node_modules/**', '.next/**', '.next-*/**', 'data/**', 'tmp/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts', 'bench/results/**'],
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      'import/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  restrict(['e2e/**', 'scripts/**', 'bench/**'], prisma),
  restrict(['app/**'], prisma, [noBootd], tests),
  restrict(['components/**'], prisma, [noBootd, noServerInComponents, noLibNode], tests),
  restrict(['server/**'], [], [noBootd], tests),
  restrict(['boot-services/**'], prisma, [noServer, noPg], [...tests, 'boot-services/store/**']),
  restrict(['boot-services/store/**'], prisma, [noServer], tests),
  noSqlOutsideStore,
  restrict([...tests.map((t) => `{app,components,boot-services}/${t}`)], prisma),
  restrict(['lib/*'], prisma, libOnly, ['lib/**/*.test.ts']),
  restrict(['lib/*/*'], prisma, libOnlyAt(1), ['lib/**/*.test.ts', 'lib/node/**']),
  restrict(['lib/*/*/*'], prisma, libOnlyAt(2), ['lib/**/*.test.ts', 'lib/node/**']),
  restrict(['lib/node/**'], prisma, libOnlyAt(1).filter((p) => p.regex !== '^node:'), ['lib/**/*.test.ts']),
];

export default config;

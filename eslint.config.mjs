// ESLint (flat config): Next.js core web vitals + TypeScript rules, and the boundary of
// STYLE.md: only server/** talks to Prisma.
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

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
    },
  },
  {
    files: ['app/**', 'components/**', 'boot-services/**', 'e2e/**', 'scripts/**', 'bench/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: '@prisma/client', message: 'Only server/** talks to Prisma (STYLE.md): call a server/<concept>/queries.ts function.' },
          { name: '@prisma/adapter-pg', message: 'Only server/** talks to Prisma (STYLE.md).' },
        ],
      }],
    },
  },
];

export default config;

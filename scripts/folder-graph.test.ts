import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { folderCycles, folderGraph } from './folder-graph.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('no two folders of the project import each other, directly or round a longer loop', () => {
  const cycles = folderCycles(folderGraph(root));
  assert.deepEqual(cycles, [], cycles.map((c) => `${c.folders.join(' ⇄ ')}:\n  ${c.imports.join('\n  ')}`).join('\n'));
});

test('a loop through three folders is found, an import of an ancestor folder is not one, and tests are left out', () => {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-folders-'));
  try {
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
      fs.writeFileSync(path.join(tree, file), text);
    };
    write('server/a/x.ts', "import { y } from '../b/y.ts';\nexport const x = y;\n");
    write('server/b/y.ts', "export { z as y } from '@/server/c/z.ts';\n");
    write('server/c/z.ts', "export const z = 1;\nexport const later = () => import('../a/x.ts');\n");
    // A folder using its parent's context, which the parent's entry point composes: no cycle.
    write('boot-services/main.ts', "import { start } from './dhcp/service.ts';\nstart();\n");
    write('boot-services/context.ts', 'export interface Context { name: string }\n');
    write('boot-services/dhcp/service.ts', "import type { Context } from '../context.ts';\nexport function start(_c?: Context) {}\n");
    write('boot-services/dhcp/service.test.ts', "import '../main.ts';\nimport '../../server/a/x.ts';\n");
    const cycles = folderCycles(folderGraph(tree));
    assert.deepEqual(cycles.map((c) => c.folders), [['server/a', 'server/b', 'server/c']]);
    assert.deepEqual(cycles[0]!.imports.sort(), ['server/a/x.ts → server/b/y.ts', 'server/b/y.ts → server/c/z.ts', 'server/c/z.ts → server/a/x.ts']);
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
  }
});

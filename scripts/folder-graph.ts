// The project's imports between folders, and the cycles among them. import/no-cycle (ESLint)
// finds module cycles; a cycle between folders (dhcp/ → store/ → dhcp/ through different files)
// is one too for the reader, who can no longer read one folder before the other.
// A folder may import what its ancestors hold (boot-services/dhcp/ uses boot-services/
// bootd-context.ts, which main.ts beside it composes): edges to an ancestor are not followed.
// Tests and their helpers (*.test.ts, integration/, testing/) drive both sides on purpose and are
// left out. Run by scripts/folder-graph.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The top-level folders of the project's own code. */
export const projectFolders = ['app', 'boot-services', 'components', 'lib', 'server', 'scripts', 'bench', 'prisma'];

const testPath = /(\.test\.tsx?$)|(\/integration\/)|(\/testing\/)/;

/** Every .ts/.tsx file of the project's code (relative to root), tests left out. */
export function sourceFiles(root: string, folders = projectFolders): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) walk(child);
      } else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') && !testPath.test(child)) {
        out.push(child);
      }
    }
  };
  for (const f of folders) if (fs.existsSync(path.join(root, f))) walk(f);
  return out.sort();
}

/** The project files `file` imports (static, dynamic, re-exports; type-only too), relative to root. */
export function importsOf(root: string, file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(path.join(root, file), 'utf8'), true, true);
  const out: string[] = [];
  for (const { fileName: spec } of info.importedFiles) {
    let target: string;
    if (spec.startsWith('.')) target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    else if (spec.startsWith('@/')) target = spec.slice(2);
    else continue;
    const found = [target, `${target}.ts`, `${target}.tsx`, `${target}/index.ts`, `${target}/index.tsx`].find((t) => fs.existsSync(path.join(root, t)) && fs.statSync(path.join(root, t)).isFile());
    if (found) out.push(found);
  }
  return out;
}

/** Folder → folders it imports (ancestors and itself left out), with one file import that makes each edge. */
export type FolderGraph = Map<string, Map<string, string>>;

export function folderGraph(root: string, files = sourceFiles(root)): FolderGraph {
  const graph: FolderGraph = new Map();
  for (const file of files) {
    const from = path.posix.dirname(file);
    for (const target of importsOf(root, file)) {
      const to = path.posix.dirname(target);
      if (to === from || from.startsWith(`${to}/`)) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      const edges = graph.get(from)!;
      if (!edges.has(to)) edges.set(to, `${file} → ${target}`);
    }
  }
  return graph;
}

/**
 * The graph's cycles, one per strongly connected component of more than one folder (Tarjan),
 * each as the folders of the component with the file imports that tie them.
 */
export function folderCycles(graph: FolderGraph): Array<{ folders: string[]; imports: string[] }> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((folders) => ({
    folders,
    imports: folders.flatMap((f) => [...(graph.get(f) ?? new Map<string, string>()).entries()].filter(([to]) => folders.includes(to)).map(([, via]) => via)),
  }));
}

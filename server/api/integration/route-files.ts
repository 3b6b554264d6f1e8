// The API's routes as the files under app/api/v1 declare them, for tests that must cover every
// route (auth on each mutating one, an OpenAPI operation for each): a new route file is picked
// up without anyone remembering to list it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const apiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../app/api/v1');
const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type RouteMethod = (typeof methods)[number];

/** Every exported HTTP method of every route.ts, path segments `[id]` written `{id}`, sorted. */
export function routeFiles(): Array<{ method: RouteMethod; route: string }> {
  const found: Array<{ method: RouteMethod; route: string }> = [];
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name === 'route.ts') {
        const route = '/' + path.relative(apiDir, dir).split(path.sep).map((s) => s.replace(/^\[(.+)\]$/, '{$1}')).join('/');
        const text = fs.readFileSync(full, 'utf8');
        for (const method of methods) {
          if (new RegExp(`\\bas ${method}\\b|export (async )?function ${method}\\b|export const ${method}\\b`).test(text)) found.push({ method, route });
        }
      }
    }
  };
  visit(apiDir);
  return found.sort((a, b) => `${a.method} ${a.route}`.localeCompare(`${b.method} ${b.route}`));
}

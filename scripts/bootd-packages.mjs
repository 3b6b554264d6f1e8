// The npm packages bootd needs, as a package.json and package-lock.json of their own, cut out
// of Fleetboot's package-lock.json: a site machine that runs only bootd installs these with
// `npm ci` (the same versions and integrity hashes as the whole stack) and not the console's
// Next.js, React and Prisma. Plain JavaScript: it runs before tsx is installed.
//   node scripts/bootd-packages.mjs <dir>   writes <dir>/package.json and <dir>/package-lock.json
//   node scripts/bootd-packages.mjs --list  prints the direct dependencies
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What boot-services/ and lib/ import, plus tsx (bootd runs as TypeScript through it). */
export const bootdDependencies = ['pg', 'zod', 'tsx'];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where npm would find `name` from the package installed at `from` (node_modules lookup). */
function resolveIn(packages, from, name) {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return null;
    const i = dir.lastIndexOf('/node_modules/');
    dir = i < 0 ? '' : dir.slice(0, i);
  }
}

export function bootdLockfile(lock, manifest) {
  const packages = lock.packages;
  const keep = new Set();
  const visit = (from, name, optional) => {
    const found = resolveIn(packages, from, name);
    if (!found) {
      if (optional) return;
      throw new Error(`package-lock.json has no ${name} (needed from ${from || 'the root'})`);
    }
    if (keep.has(found)) return;
    keep.add(found);
    const p = packages[found];
    for (const dep of Object.keys(p.dependencies ?? {})) visit(found, dep, false);
    for (const dep of Object.keys(p.optionalDependencies ?? {})) visit(found, dep, true);
  };
  const dependencies = {};
  for (const name of bootdDependencies) {
    const range = manifest.dependencies?.[name];
    if (!range) throw new Error(`package.json does not depend on ${name}`);
    dependencies[name] = range;
    visit('', name, false);
  }
  const pkg = { name: 'fleetboot-bootd', version: manifest.version, private: true, type: 'module', dependencies };
  const out = { name: pkg.name, version: pkg.version, lockfileVersion: lock.lockfileVersion, requires: true, packages: { '': { name: pkg.name, version: pkg.version, dependencies } } };
  for (const key of [...keep].sort()) {
    const { dev: _dev, devOptional: _devOptional, ...entry } = packages[key];
    out.packages[key] = entry;
  }
  return { pkg, lock: out };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = process.argv[2];
  if (arg === '--list') {
    console.log(bootdDependencies.join('\n'));
  } else if (arg) {
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const { pkg, lock: out } = bootdLockfile(lock, manifest);
    fs.mkdirSync(arg, { recursive: true });
    fs.writeFileSync(path.join(arg, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
    fs.writeFileSync(path.join(arg, 'package-lock.json'), JSON.stringify(out, null, 2) + '\n');
  } else {
    console.error('usage: node scripts/bootd-packages.mjs <dir> | --list');
    process.exit(2);
  }
}

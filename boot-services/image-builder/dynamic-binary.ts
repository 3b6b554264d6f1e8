// The files a dynamically linked Debian program needs inside the agent initramfs: the program,
// each shared library and the loader, at the paths the loader resolves on this machine. The
// initramfs has no libc of its own (its BusyBox is static), so a program such as zstd carries
// its closure. ldd (libc-bin) asks the loader, it does not run the program.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export interface BinaryFile {
  /** Path inside the initramfs, without the leading `/`. */
  path: string;
  /** Where the bytes come from on this machine (symlinks followed). */
  source: string;
}

type Ldd = (binary: string) => string;
const runLdd: Ldd = (binary) => {
  try {
    return execFileSync('ldd', [binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    // A static program: ldd says so and exits 1. Anything else is a real failure.
    const out = `${String((err as { stdout?: string }).stdout ?? '')}${String((err as { stderr?: string }).stderr ?? '')}`;
    if (/not a dynamic executable|statically linked/.test(out)) return '';
    throw new Error(`ldd ${binary} failed: ${out.trim() || (err as Error).message}`);
  }
};

/** `libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x…)` and `/lib64/ld-linux-x86-64.so.2 (0x…)` lines. */
export function parseLddOutput(text: string): string[] {
  const paths: string[] = [];
  for (const line of text.split('\n')) {
    const resolved = /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(0x/.exec(line)?.[1];
    if (/=>\s*not found/.test(line)) throw new Error(`a shared library is missing: ${line.trim()}`);
    if (resolved) paths.push(resolved);
  }
  return paths;
}

/** The program at `installAs` plus its libraries and loader at their own paths. */
export function dynamicBinaryFiles(binary: string, installAs: string, ldd: Ldd = runLdd): BinaryFile[] {
  if (!fs.existsSync(binary)) throw new Error(`${binary} not found`);
  const files: BinaryFile[] = [{ path: installAs.replace(/^\/+/, ''), source: fs.realpathSync(binary) }];
  for (const lib of parseLddOutput(ldd(binary))) {
    files.push({ path: lib.replace(/^\/+/, ''), source: fs.realpathSync(lib) });
  }
  return files;
}

// The events spool on disk (DESIGN.md "Events spool"): one JSON event a line, appended and
// fsynced before the writer moves on, read back whole for a replay and removed only after the
// replay committed. A crash in the middle of an append can leave a last line without its
// newline: the next append first ends that torn line, so only the torn line is lost (it was
// never fsynced, nobody was told it was kept), never the event written after it.
import fs from 'node:fs';

export interface SpoolContents {
  lines: string[];
  /** Lines that could not be parsed (torn by a crash mid-append): skipped. */
  torn: number;
}

export class EventSpool {
  /** Lines in the file, counted once at start and kept up to date (pending() is polled by /healthz). */
  private lineCount: number;

  constructor(readonly path: string) {
    this.lineCount = this.exists() ? this.readLines().length : 0;
  }

  exists(): boolean {
    return fs.existsSync(this.path);
  }

  count(): number {
    return this.lineCount;
  }

  /** Appends the lines (each one JSON, no newline inside) and fsyncs. */
  append(lines: string[]): void {
    if (lines.length === 0) return;
    const fd = fs.openSync(this.path, 'a+', 0o600);
    try {
      const size = fs.fstatSync(fd).size;
      let prefix = '';
      if (size > 0) {
        const last = Buffer.alloc(1);
        fs.readSync(fd, last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
      fs.writeSync(fd, prefix + lines.join('\n') + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.lineCount += lines.length;
  }

  /** Every whole line, in the order written; torn ones are counted and left out. */
  read(parse: (line: string) => boolean): SpoolContents {
    const lines: string[] = [];
    let torn = 0;
    for (const line of this.readLines()) {
      if (parse(line)) lines.push(line);
      else torn++;
    }
    return { lines, torn };
  }

  remove(): void {
    fs.rmSync(this.path, { force: true });
    this.lineCount = 0;
  }

  private readLines(): string[] {
    try {
      return fs.readFileSync(this.path, 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  }
}

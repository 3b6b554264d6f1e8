// Group commit: work submitted while a flush is running waits and goes out together in the
// next one, so N concurrent lease bindings cost one statement and one WAL fsync instead of N.

export class GroupCommit<Item, Result> {
  private queue: Array<{ item: Item; resolve(r: Result): void; reject(e: unknown): void }> = [];
  private running = 0;

  /**
   * flush receives a batch and returns one result per item, in order.
   * key(item): items with the same key never share a batch (e.g. one lease updated twice).
   */
  constructor(
    private readonly flush: (items: Item[]) => Promise<Result[]>,
    private readonly opts: { maxBatch?: number; concurrency?: number; key?: (item: Item) => string } = {},
  ) {}

  submit(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    while (this.queue.length > 0 && this.running < (this.opts.concurrency ?? 1)) {
      const batch = this.takeBatch();
      this.running++;
      this.flush(batch.map((b) => b.item)).then(
        (results) => batch.forEach((b, i) => b.resolve(results[i]!)),
        (err) => batch.forEach((b) => b.reject(err)),
      ).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private takeBatch(): typeof this.queue {
    const max = this.opts.maxBatch ?? 500;
    const key = this.opts.key;
    if (!key) return this.queue.splice(0, max);
    const batch: typeof this.queue = [];
    const rest: typeof this.queue = [];
    const keys = new Set<string>();
    for (const entry of this.queue) {
      const k = key(entry.item);
      if (batch.length < max && !keys.has(k)) { batch.push(entry); keys.add(k); } else rest.push(entry);
    }
    this.queue = rest;
    return batch;
  }
}

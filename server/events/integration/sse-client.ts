// A minimal text/event-stream reader for tests and the events benchmark: fetch + frame parser,
// every frame kept with the time it arrived.
export interface SseFrame {
  id: string;
  event: string;
  // Tests read arbitrary fields of the event JSON.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
  receivedAtMs: number;
  /** With FLEETBOOT_SSE_TIMING=1 in the web process: when the hub read the event, and pushed its chunk. */
  serverReadAtMs?: number;
  serverPushAtMs?: number;
}

export class SseClient {
  readonly events: SseFrame[] = [];
  private waiters: Array<{ match: (e: SseFrame) => boolean; resolve: (e: SseFrame) => void }> = [];
  private constructor(private readonly abort: AbortController) {}

  static async open(url: string, opts: { cookie?: string; lastEventId?: string; onFrame?: (f: SseFrame) => void } = {}): Promise<SseClient> {
    const abort = new AbortController();
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (opts.cookie) headers.cookie = opts.cookie;
    if (opts.lastEventId) headers['last-event-id'] = opts.lastEventId;
    const res = await fetch(url, { headers, signal: abort.signal });
    if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}: ${await res.text()}`);
    const client = new SseClient(abort);
    void client.read(res.body, opts.onFrame);
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>, onFrame?: (f: SseFrame) => void): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    let pushAtMs: number | undefined;
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const raw = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          let readAtMs: number | undefined;
          for (const line of raw.split('\n')) {
            if (line.startsWith(': push ')) pushAtMs = Number(line.slice(7));
            else if (line.startsWith(': read ')) readAtMs = Number(line.slice(7));
            if (!line || line.startsWith(':')) continue;
            const i = line.indexOf(': ');
            fields.set(line.slice(0, i), line.slice(i + 2));
          }
          if (!fields.has('data')) continue;
          const frame: SseFrame = { id: fields.get('id') ?? '', event: fields.get('event') ?? 'message', data: JSON.parse(fields.get('data')!), receivedAtMs: Date.now(), serverReadAtMs: readAtMs, serverPushAtMs: readAtMs === undefined ? undefined : pushAtMs };
          onFrame?.(frame);
          if (!onFrame) this.events.push(frame);
          this.waiters = this.waiters.filter((w) => (w.match(frame) ? (w.resolve(frame), false) : true));
        }
      }
    } catch {
      // aborted
    }
  }

  waitFor(match: (e: SseFrame) => boolean, timeoutMs: number): Promise<SseFrame> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms (got ${this.events.length})`)), timeoutMs);
      this.waiters.push({ match, resolve: (e) => { clearTimeout(timer); resolve(e); } });
    });
  }

  close(): void {
    this.abort.abort();
  }
}

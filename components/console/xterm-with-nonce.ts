// xterm.js draws its DOM renderer's colours and sizes with <style> elements it creates itself.
// The console's pages allow only styles carrying the page's CSP nonce (lib/security-headers.ts),
// so those elements get the nonce Next.js put on the page's own scripts (a script's `nonce`
// property keeps it; the attribute reads empty, HTML §2.6.5 "nonce"). Only elements created
// while xterm builds a terminal are touched.
import type { ITerminalInitOnlyOptions, ITerminalOptions, Terminal } from '@xterm/xterm';

function pageNonce(): string {
  for (const script of Array.from(document.querySelectorAll('script'))) if (script.nonce) return script.nonce;
  return '';
}

/** Creates a terminal and opens it in `parent`, its style elements carrying the page's nonce. */
export async function openTerminal(parent: HTMLElement, options: ITerminalOptions & ITerminalInitOnlyOptions): Promise<Terminal> {
  const { Terminal } = await import('@xterm/xterm');
  const nonce = pageNonce();
  const create = document.createElement;
  document.createElement = function (this: Document, tagName: string, opts?: ElementCreationOptions) {
    const element = create.call(this, tagName, opts);
    if (nonce && tagName.toLowerCase() === 'style') element.nonce = nonce;
    return element;
  } as typeof document.createElement;
  try {
    const terminal = new Terminal(options);
    terminal.open(parent);
    return terminal;
  } finally {
    document.createElement = create;
  }
}

// Console bytes as text to keep, search and read: UTF-8 decoded across chunk boundaries, the
// terminal's control sequences removed (ECMA-48 §5.4 CSI "ESC [ … final", OSC "ESC ] … BEL|ST",
// two-byte "ESC x"), CR LF and a lone CR that ends a line made LF, other C0 controls (NUL,
// which PostgreSQL text can't hold, BEL, …) dropped. Backspace and line redraws are kept as
// the plain characters they leave: this is a record, not a screen.
const controlSequence = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[0-~]/g;
const droppedControls = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

export class ConsoleTextDecoder {
  private readonly utf8 = new TextDecoder('utf-8', { fatal: false });
  /** an escape sequence or CR cut at a chunk's end, finished by the next chunk */
  private carry = '';

  decode(bytes: Uint8Array): string {
    let text = this.carry + this.utf8.decode(bytes, { stream: true });
    this.carry = '';
    const cut = /\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|)$|\r$/.exec(text);
    if (cut) {
      this.carry = cut[0];
      text = text.slice(0, cut.index);
    }
    return text.replace(controlSequence, '').replace(/\r\n|\r/g, '\n').replace(droppedControls, '');
  }
}

// What a console keystroke becomes on its way into `ipmitool sol activate`. ipmitool reads
// an escape sequence from its input: "~" right after a line break (or at the very start)
// begins one ("~." ends the session, "~B" sends a break), and "~~" is a literal "~"
// (ipmitool(1), "sol activate"). A browser's keystrokes must never end the session or send a
// break by accident, so a "~" at a line start is doubled.

const tilde = 0x7e;

function isLineBreak(byte: number): boolean {
  return byte === 0x0d || byte === 0x0a;
}

/** The bytes to write to ipmitool for `input`, given whether the previous byte ended a line. */
export function escapeSolInput(input: Uint8Array, atLineStart: boolean): { bytes: Buffer; atLineStart: boolean } {
  const out: number[] = [];
  let lineStart = atLineStart;
  for (const byte of input) {
    if (byte === tilde && lineStart) out.push(tilde);
    out.push(byte);
    lineStart = isLineBreak(byte);
  }
  return { bytes: Buffer.from(out), atLineStart: lineStart };
}

/** The sequence that ends ipmitool's session cleanly (deactivating the SOL payload at the BMC). */
export function solEndSequence(atLineStart: boolean): Buffer {
  // The escape is only read at a line start: a carriage return first when we are mid-line.
  return Buffer.from(atLineStart ? '~.' : '\r~.');
}

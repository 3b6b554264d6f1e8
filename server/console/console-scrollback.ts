// The last bytes of a host's console, kept so a viewer who opens it mid-boot sees the screen's
// recent past. A fixed-size ring: memory per console never grows with the output.
export class ConsoleScrollback {
  private readonly ring: Buffer;
  private end = 0;
  private filled = false;

  constructor(readonly capacityBytes: number) {
    this.ring = Buffer.alloc(capacityBytes);
  }

  append(bytes: Buffer): void {
    const cap = this.capacityBytes;
    if (bytes.length >= cap) {
      bytes.copy(this.ring, 0, bytes.length - cap);
      this.end = 0;
      this.filled = true;
      return;
    }
    const first = Math.min(bytes.length, cap - this.end);
    bytes.copy(this.ring, this.end, 0, first);
    if (first < bytes.length) bytes.copy(this.ring, 0, first);
    const next = this.end + bytes.length;
    if (next >= cap) this.filled = true;
    this.end = next % cap;
  }

  /** The kept bytes, oldest first. */
  contents(): Buffer {
    if (!this.filled) return Buffer.from(this.ring.subarray(0, this.end));
    return Buffer.concat([this.ring.subarray(this.end), this.ring.subarray(0, this.end)]);
  }
}

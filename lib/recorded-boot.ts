// A boot whose serial console was recorded, as the console lists it (server/console/boot-console-queries.ts
// reads it; components/console/recorded-consoles.tsx shows it).
export interface RecordedBoot {
  sessionId: string;
  startedAt: Date;
  endedAt: Date | null;
  outcome: string | null;
  phase: string;
  /** characters of console text kept */
  chars: number;
}

// Times shown the same everywhere: UTC, to the second, machine-readable in dateTime.
export function formatUtc(date: Date | string): string {
  const d = typeof date === 'string' ? new Date(date) : date;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function TimeText({ date }: { date: Date | string | null | undefined }) {
  if (!date) return <span className="text-slate-400">never</span>;
  const d = typeof date === 'string' ? new Date(date) : date;
  return (
    <time dateTime={d.toISOString()} className="whitespace-nowrap tabular-nums">
      {formatUtc(d)}
    </time>
  );
}

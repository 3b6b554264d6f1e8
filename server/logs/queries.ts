// A host's last syslog lines, as bootd stores them (boot-services/syslog/): asked of bootd's
// admin endpoint on this machine (127.0.0.1:FLEETBOOT_BOOTD_ADMIN_PORT), since the files live
// in bootd's state directory and the web process may run elsewhere. null when bootd doesn't
// answer in time or doesn't serve logs (syslog not in FLEETBOOT_SERVICES).
import { z } from 'zod';

const bootdTimeoutMs = 2000;
export const maxTailLines = 2000;

export const hostLogQuery = z.object({
  lines: z.coerce.number().int().min(1).max(maxTailLines).default(200),
});

const tailReply = z.object({ lines: z.array(z.string()) });

export async function readHostLogTail(hostId: string, lines: number, env: Record<string, string | undefined> = process.env): Promise<string[] | null> {
  const port = Number(env.FLEETBOOT_BOOTD_ADMIN_PORT) || 9467;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/logs/${encodeURIComponent(hostId)}?lines=${lines}`, { signal: AbortSignal.timeout(bootdTimeoutMs) });
    // 404: bootd runs without syslog, or the host isn't in its view yet.
    if (res.status === 404) {
      await res.body?.cancel();
      return res.headers.get('content-type')?.includes('application/json') ? [] : null;
    }
    if (!res.ok) {
      await res.body?.cancel();
      return null;
    }
    const parsed = tailReply.safeParse(await res.json());
    return parsed.success ? parsed.data.lines : null;
  } catch {
    // Unreachable or too slow: the page says logs are unavailable rather than failing.
    return null;
  }
}

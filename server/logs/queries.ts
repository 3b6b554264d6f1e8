// A host's last syslog lines, as bootd stores them (boot-services/syslog/): asked of the boot
// server(s) of the host's network at their registered status URL, signed, or of the bootd on
// this machine when no named boot server serves it (server/boot-servers/status-endpoints.ts);
// the files live in bootd's state directory, wherever it runs. Of a pair, the one holding
// lines answers (the host logs to the bootd whose lease it has). null when no bootd answers
// in time or none serves logs (syslog not in FLEETBOOT_SERVICES).
import { z } from 'zod';
import { askBootd, statusEndpointsForHost, type StatusEndpoint } from '../boot-servers/status-endpoints.ts';

const bootdTimeoutMs = 2000;
export const maxTailLines = 2000;

export const hostLogQuery = z.object({
  lines: z.coerce.number().int().min(1).max(maxTailLines).default(200),
});

const tailReply = z.object({ lines: z.array(z.string()) });

async function tailFrom(endpoint: StatusEndpoint, hostId: string, lines: number): Promise<string[] | null> {
  try {
    const res = await askBootd(endpoint, `/logs/${encodeURIComponent(hostId)}?lines=${lines}`, bootdTimeoutMs);
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

/** `endpoints`: the bootd to ask (tests); by default the host's boot server(s) as the registry knows them. */
export async function readHostLogTail(hostId: string, lines: number, endpoints?: readonly StatusEndpoint[]): Promise<string[] | null> {
  const tails = await Promise.all((endpoints ?? (await statusEndpointsForHost(hostId))).map((e) => tailFrom(e, hostId, lines)));
  return tails.find((t) => t !== null && t.length > 0) ?? tails.find((t) => t !== null) ?? null;
}

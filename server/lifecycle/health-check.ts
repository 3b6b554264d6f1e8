// The role's health check as the server runs it: an http(s) URL with {ip} / {hostname}
// filled in, fetched with a timeout; 2xx passes. A health check that is a command runs on the
// host itself (the image's /etc/fleetboot/health, reported by the agent with "up").
export interface HealthTarget { hostname: string; ip: string | null }
export type HealthResult = { ok: true } | { ok: false; reason: string };
export type HealthProbe = (url: string) => Promise<HealthResult>;

export function isUrlHealthCheck(check: string | null | undefined): check is string {
  return Boolean(check && /^https?:\/\//i.test(check.trim()));
}

export function healthCheckUrl(check: string, host: HealthTarget): string {
  return check.trim().replaceAll('{ip}', host.ip ?? '').replaceAll('{hostname}', host.hostname);
}

export const healthProbeTimeoutMs = 5000;

export const fetchHealth: HealthProbe = async (url) => {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(healthProbeTimeoutMs), redirect: 'manual' });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300 ? { ok: true } : { ok: false, reason: `${url} answered ${res.status}` };
  } catch (err) {
    return { ok: false, reason: `${url}: ${(err as Error).name === 'TimeoutError' ? `no answer within ${healthProbeTimeoutMs / 1000} s` : (err as Error).message}` };
  }
};

// Syslog datagram ⇄ message, pure: RFC 5424 and the BSD format of RFC 3164 that BusyBox
// syslogd/logger and libc syslog() send. Knows bytes and fields, nothing of hosts or files.
// Malformed input gives { ok: false, reason }, never an exception (STYLE.md).

export interface SyslogMessage {
  /** RFC 5424 §6.2.1: PRI = facility × 8 + severity. */
  facility: number;
  severity: number;
  format: 'rfc5424' | 'rfc3164';
  /** The sender's own timestamp as sent (RFC 3164 has no year or zone), or null. */
  timestamp: string | null;
  /** The hostname the sender put in the header, or null (BusyBox syslogd -R sends none). */
  hostname: string | null;
  /** Program name, with "[pid]" when the sender gave one. */
  tag: string | null;
  message: string;
  /** The message text was longer than maxMessageBytes and was cut. */
  truncated: boolean;
}

export type SyslogParseResult = { ok: true; message: SyslogMessage } | { ok: false; reason: SyslogDropReason };
export type SyslogDropReason = 'empty' | 'no-pri' | 'bad-pri' | 'bad-header' | 'bad-structured-data';

/** RFC 5424 §6.1: receivers SHOULD take 2048 octets; longer message texts are cut here. */
export const defaultMaxMessageBytes = 4096;

// RFC 5424 §6.2.1: the largest PRI is local7.debug = 23 × 8 + 7.
const maxPri = 191;
// RFC 5424 §6: field length limits.
const maxHostnameChars = 255;
const maxAppNameChars = 48;
const maxProcIdChars = 128;
const maxMsgIdChars = 32;
// RFC 3164 §4.1.3: the TAG is at most 32 alphanumeric characters; real programs use - _ . / too.
const bsdTag = /^([A-Za-z0-9_.\-/]{1,32})(\[[^\]\s]{1,32}\])?:$/;
// RFC 3164 §4.1.2: "Mmm dd hh:mm:ss", the day padded with a space.
const bsdTimestamp = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3]\d \d\d:\d\d:\d\d /;
// Some BSD-format senders (rsyslog, systemd) put an RFC 3339 time where RFC 3164 has its own.
const isoTimestamp = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)? /;
const utf8Bom = '\uFEFF';

const decoder = new TextDecoder('utf-8', { fatal: false });

export function parseSyslogMessage(datagram: Uint8Array, maxMessageBytes = defaultMaxMessageBytes): SyslogParseResult {
  // Stock syslogd ends each datagram with '\n' (BusyBox mimics it); some senders add NULs.
  const text = decoder.decode(datagram).replace(/[\n\r\0]+$/, '');
  if (text.length === 0) return { ok: false, reason: 'empty' };
  const pri = /^<(\d{1,3})>/.exec(text);
  if (!pri) return { ok: false, reason: 'no-pri' };
  const value = Number(pri[1]);
  // RFC 5424 §6.2.1: no leading zeros except "<0>".
  if (value > maxPri || (pri[1]!.length > 1 && pri[1]!.startsWith('0'))) return { ok: false, reason: 'bad-pri' };
  const rest = text.slice(pri[0].length);
  const header = { facility: value >> 3, severity: value & 7 };
  const parsed = /^[1-9]\d{0,2} /.test(rest) ? parse5424(rest) : parse3164(rest);
  if (!parsed.ok) return parsed;
  const { message, truncated } = cut(parsed.fields.message, maxMessageBytes);
  return { ok: true, message: { ...header, ...parsed.fields, message, truncated } };
}

type Fields = Omit<SyslogMessage, 'facility' | 'severity' | 'truncated'>;
type FieldsResult = { ok: true; fields: Fields } | { ok: false; reason: SyslogDropReason };

const nil = (field: string) => (field === '-' ? null : field);

/** RFC 5424 §6: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG] */
function parse5424(rest: string): FieldsResult {
  const parts: string[] = [];
  let at = 0;
  for (let i = 0; i < 6; i++) {
    const space = rest.indexOf(' ', at);
    if (space < 0) return { ok: false, reason: 'bad-header' };
    parts.push(rest.slice(at, space));
    at = space + 1;
  }
  const [, timestamp, hostname, appName, procId, msgId] = parts as [string, string, string, string, string, string];
  if (!timestamp || !hostname || !appName || !procId || !msgId) return { ok: false, reason: 'bad-header' };
  if (hostname.length > maxHostnameChars || appName.length > maxAppNameChars || procId.length > maxProcIdChars || msgId.length > maxMsgIdChars) {
    return { ok: false, reason: 'bad-header' };
  }
  const sdEnd = structuredDataEnd(rest, at);
  if (sdEnd < 0) return { ok: false, reason: 'bad-structured-data' };
  let message = rest.slice(sdEnd).replace(/^ /, '');
  if (message.startsWith(utf8Bom)) message = message.slice(1);
  const app = nil(appName);
  const pid = nil(procId);
  return {
    ok: true,
    fields: { format: 'rfc5424', timestamp: nil(timestamp), hostname: nil(hostname), tag: app && pid ? `${app}[${pid}]` : app, message },
  };
}

/** Index just after STRUCTURED-DATA (RFC 5424 §6.3: "-" or [id param="value"]...), or -1. */
function structuredDataEnd(s: string, start: number): number {
  if (s[start] === '-') return start + 1 === s.length || s[start + 1] === ' ' ? start + 1 : -1;
  if (s[start] !== '[') return -1;
  let i = start;
  while (s[i] === '[') {
    let quoted = false;
    for (i++; i < s.length; i++) {
      const c = s[i];
      // §6.3.3: inside PARAM-VALUE, '"', '\' and ']' are escaped with '\'.
      if (quoted && c === '\\') i++;
      else if (c === '"') quoted = !quoted;
      else if (c === ']' && !quoted) break;
    }
    if (i >= s.length) return -1;
    i++;
  }
  return i === s.length || s[i] === ' ' ? i : -1;
}

/** RFC 3164 §4.1: TIMESTAMP SP HOSTNAME SP TAG: CONTENT, each part optional in practice. */
function parse3164(rest: string): FieldsResult {
  let timestamp: string | null = null;
  let body = rest;
  const stamp = bsdTimestamp.exec(body) ?? isoTimestamp.exec(body);
  if (stamp) {
    timestamp = stamp[0].trimEnd();
    body = body.slice(stamp[0].length);
  }
  let hostname: string | null = null;
  let tag: string | null = null;
  const [first, afterFirst] = splitWord(body);
  if (first === ':') {
    // An empty ident (libc syslog() after openlog(""), as BusyBox init logs): no hostname, no tag.
    body = afterFirst;
  } else if (bsdTag.test(first)) {
    // No hostname: what BusyBox syslogd -R and libc syslog() send.
    tag = first.slice(0, -1);
    body = afterFirst;
  } else if (stamp && first.length > 0 && first.length <= maxHostnameChars && /^[A-Za-z0-9_.:\-]+$/.test(first)) {
    hostname = first;
    const [second, afterSecond] = splitWord(afterFirst);
    if (bsdTag.test(second)) {
      tag = second.slice(0, -1);
      body = afterSecond;
    } else {
      body = afterFirst;
    }
  }
  return { ok: true, fields: { format: 'rfc3164', timestamp, hostname, tag, message: body } };
}

function splitWord(s: string): [string, string] {
  const space = s.indexOf(' ');
  return space < 0 ? [s, ''] : [s.slice(0, space), s.slice(space + 1)];
}

function cut(message: string, maxBytes: number): { message: string; truncated: boolean } {
  if (Buffer.byteLength(message) <= maxBytes) return { message, truncated: false };
  // Cut on a byte boundary, then drop a split character (it decodes to U+FFFD at the end).
  const bytes = Buffer.from(message).subarray(0, maxBytes);
  return { message: decoder.decode(bytes).replace(/\uFFFD$/, ''), truncated: true };
}

const severityNames = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
const facilityNames = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'audit', 'alert', 'clock', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'] as const;

/**
 * One line of a host's log file: receive time, facility.severity, the sender's hostname and
 * tag, the message. Newlines and other control characters are escaped so a message is one line.
 */
export function formatLogLine(m: SyslogMessage, receivedAt: Date): string {
  const clean = (s: string) => s.replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  const text = clean(m.message) + (m.truncated ? ' …[truncated]' : '');
  return `${receivedAt.toISOString()} ${facilityNames[m.facility]}.${severityNames[m.severity]} ${clean(m.hostname ?? '-')} ${clean(m.tag ?? '-')}: ${text}`;
}

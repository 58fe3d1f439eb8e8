import type { SessionListRow } from '../../users/session-repository';
import { formatDateTime } from './dates';

/** "Firefox on Linux": enough of a User-Agent to recognise one's own devices. */
export function browserName(userAgent: string | null): string {
  if (!userAgent) return 'Unknown browser';
  const ua = userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : /curl\//.test(ua) ? 'curl' : null;
  const system = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS X|Macintosh/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : null;
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? ua.slice(0, 60);
}

export function sessionListModel(rows: SessionListRow[], currentId: string | null, timeZone: string) {
  const now = new Date();
  return rows.map((s) => ({
    ref: s.ref,
    current: s.id === currentId,
    browser: browserName(s.userAgent),
    address: s.address ?? 'unknown address',
    started: formatDateTime(s.createdAt, now, timeZone),
    lastSeen: formatDateTime(s.seenAt, now, timeZone),
    unfinished: s.mfaPending || s.passwordPending,
    endUrl: `/settings/sessions/${s.ref}/end`,
  }));
}

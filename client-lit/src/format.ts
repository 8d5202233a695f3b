// Formatting helpers shared by the elements.
import { t } from './i18n/en.js';

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const shortDayFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

export const formatTime = (ts: number) => timeFmt.format(ts);

export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function formatDay(ts: number, now = Date.now()): string {
  if (dayKey(ts) === dayKey(now)) return t.today;
  if (dayKey(ts) === dayKey(now - 86_400_000)) return t.yesterday;
  return dayFmt.format(ts);
}

/** Time for the room list: hh:mm today, the day otherwise. */
export function formatListTime(ts: number, now = Date.now()): string {
  if (!ts) return '';
  return dayKey(ts) === dayKey(now) ? formatTime(ts) : shortDayFmt.format(ts);
}

export function formatAgo(ms: number): string {
  const min = Math.floor(ms / 60_000);
  if (min < 1) return t.justNow;
  if (min < 60) return t.minutesAgo(min);
  if (min < 60 * 24) return t.hoursAgo(Math.floor(min / 60));
  return t.daysAgo(Math.floor(min / 1440));
}

export function formatSize(bytes: number | undefined): string {
  if (!bytes && bytes !== 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function initials(name: string): string {
  const clean = name.replace(/^[@#!]/, '').trim();
  return (clean[0] ?? '?').toUpperCase();
}

/** A stable hue per id, dark enough for white initials to pass AA contrast. */
export function colorFor(id: string): string {
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${h % 360} 55% 36%)`;
}

// Dates as the officer reads them: local time, ISO order, 24-hour clock.

const pad = (n: number) => String(n).padStart(2, '0')

/** `2026-11-22T06:05:09Z` → `2026-11-22 14:05:09` in the machine's time zone. */
export function localDateTime(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  )
}

/** Whether an RFC 3339 instant lies in the future (an unreadable one counts as future). */
export function isFuture(iso: string): boolean {
  const t = new Date(iso).getTime()
  return Number.isNaN(t) || t > Date.now()
}

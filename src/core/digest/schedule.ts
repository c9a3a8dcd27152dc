// When the digest is due: at a local time on working days, in the team's time zone. A slot is
// named by its local date and time, so "sent once per slot" survives restarts and DST alike.

export interface DigestSchedule {
  /** HH:MM, local. */
  time: string;
  timezone: string;
  /** ISO weekdays: 1 = Monday … 7 = Sunday. */
  workingDays: number[];
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Today's slot if it is a working day and its time has come, else null. */
export function dueSlot(now: Date, schedule: DigestSchedule): string | null {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: schedule.timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
      hourCycle: 'h23',
    })
      .formatToParts(now)
      .map((p) => [p.type, p.value]),
  );
  const weekday = WEEKDAYS[parts.weekday ?? ''] ?? 0;
  if (!schedule.workingDays.includes(weekday)) return null;
  const local = `${parts.hour}:${parts.minute}`;
  if (local < schedule.time) return null;
  return `${parts.year}-${parts.month}-${parts.day} ${schedule.time} ${schedule.timezone}`;
}

// When a connection runs by itself: `manual` (never), an interval (`15m`, `1h`, `1d`) counted from the
// start of its last run, or a standard 5-field cron expression read in the connection's time zone (by
// croner, daylight saving time included). Due means "a time to run has come since the last run": a run
// missed while nothing checked (VS Code closed, the machine asleep) runs once at the next check, never once
// per missed slot. A connection that never ran is due at once.
import { Cron } from 'croner';
import { SCHEDULE_INTERVAL, type Connection, type RetlConfig } from '../../../protocol/src/config';

export const DEFAULT_TIME_ZONE = 'UTC';

export type Schedule =
  | { kind: 'manual' }
  | { kind: 'interval'; ms: number }
  | { kind: 'cron'; cron: Cron };

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const INTERVAL = SCHEDULE_INTERVAL;

/** The connection's time zone: its own, else retl.yaml's, else UTC. */
export function timeZoneOf(config: Pick<RetlConfig, 'timeZone'> | undefined, connection: Pick<Connection, 'timeZone'>): string {
  return connection.timeZone ?? config?.timeZone ?? DEFAULT_TIME_ZONE;
}

/** Why `name` is no IANA time zone this runtime knows (Europe/Berlin, UTC), or undefined when it is one. */
export function timeZoneProblem(name: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return undefined;
  } catch {
    return `"${name}" is not an IANA time zone (such as UTC, Europe/Berlin, America/New_York).`;
  }
}

/** The schedule a connection's `schedule` text says; throws an Error that says what is wrong with it. */
export function parseSchedule(text: string | undefined, timeZone: string = DEFAULT_TIME_ZONE): Schedule {
  const trimmed = (text ?? 'manual').trim();
  if (trimmed === 'manual') return { kind: 'manual' };
  const interval = INTERVAL.exec(trimmed);
  if (interval) return { kind: 'interval', ms: Number(interval[1]) * UNIT_MS[interval[2] as keyof typeof UNIT_MS] };
  const zoneProblem = timeZoneProblem(timeZone);
  if (zoneProblem) throw new Error(zoneProblem);
  if (trimmed.split(/\s+/).length !== 5) {
    throw new Error(`"${trimmed}" is not manual, an interval (15m, 1h, 1d) or a cron expression of 5 fields (minute hour day month weekday, such as "0 6 * * 1-5").`);
  }
  let cron: Cron;
  try {
    // No function: croner only computes times and starts no timer.
    cron = new Cron(trimmed, { timezone: timeZone, mode: '5-part' });
  } catch (err) {
    throw new Error(`"${trimmed}" is not a valid cron expression: ${(err as Error).message}`);
  }
  if (!cron.nextRun()) throw new Error(`"${trimmed}" never matches a date (such as 30 February): it would never run.`);
  return { kind: 'cron', cron };
}

/** What is wrong with a schedule text, or undefined when it reads. */
export function scheduleProblem(text: string, timeZone: string = DEFAULT_TIME_ZONE): string | undefined {
  try {
    parseSchedule(text, timeZone);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * When the connection is next due (ms since the epoch), given the start of its last run; `now` when it
 * never ran; undefined for manual (or a cron expression that never matches again).
 */
export function nextRunAt(schedule: Schedule, lastStart: number | undefined, now: number): number | undefined {
  if (schedule.kind === 'manual') return undefined;
  if (lastStart === undefined) return now;
  if (schedule.kind === 'interval') return lastStart + schedule.ms;
  return schedule.cron.nextRun(new Date(lastStart))?.getTime();
}

export function isDue(schedule: Schedule, lastStart: number | undefined, now: number): boolean {
  const next = nextRunAt(schedule, lastStart, now);
  return next !== undefined && next <= now;
}

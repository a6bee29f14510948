import fs from 'node:fs';

/** VmRSS (now) or VmHWM (peak) of a process, in MB, from /proc (Linux). */
export function residentMB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return kb / 1024;
}

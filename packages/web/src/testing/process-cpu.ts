import { readdirSync, readFileSync } from 'node:fs';

// CPU time of process trees, from Linux's /proc: what a benchmark's browser and server spent,
// which on a shared machine says more about the code than wall-clock time does (there, another
// process's work stretches every wall-clock figure). Elsewhere: undefined.

/** Clock ticks per second of /proc's utime/stime (USER_HZ, 100 on Linux's common builds). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime, in ticks. */
  readonly ticks: number;
}

function readStat(pid: string): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid: Number(pid), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * CPU milliseconds used so far by the processes whose command line contains `marker` (or whose
 * pid is given) and all their descendants; `undefined` without /proc.
 */
export function treeCpuMs(roots: { readonly marker?: string; readonly pids?: readonly number[] }): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const stats = pids.map(readStat).filter((s): s is ProcStat => s !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const start = stats.filter(
    (s) => roots.pids?.includes(s.pid) || (roots.marker !== undefined && commandLine(s.pid).includes(roots.marker)),
  );
  const seen = new Set<number>();
  let ticks = 0;
  const visit = (stat: ProcStat) => {
    if (seen.has(stat.pid)) return;
    seen.add(stat.pid);
    ticks += stat.ticks;
    for (const child of children.get(stat.pid) ?? []) visit(child);
  };
  start.forEach(visit);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

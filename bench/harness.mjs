// Shared benchmark plumbing: timing, peers over a line protocol, markdown tables, machine notes.
// Peers run side by side with ours in the same run, interleaved (A B A B), and results are quoted
// as ratios: the machines here are shared and drift 15-40% between periods.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import os from 'node:os';

/** Seconds of the fastest of `reps` calls of fn (after one warm-up call). */
export function bestOf(reps, fn) {
  fn();
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

export async function bestOfAsync(reps, fn) {
  await fn();
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The Debian python with numpy/sklearn/xgboost (not the pyenv one on PATH). */
export const systemPython = '/usr/bin/python3';

/**
 * A peer process speaking JSON lines: we write one request, it answers one line. Returns null (and
 * says why) when the peer can't start, so a bench runs with what is installed.
 */
export async function startPeer(label, command, args, env = process.env) {
  const probe = spawnSync(command, [...args, '--probe'], { env, encoding: 'utf8', timeout: 60_000 });
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.error?.message || '').trim().split('\n').pop();
    console.log(`peer ${label}: skipped (${why || 'not installed'})`);
    return null;
  }
  const info = probe.stdout.trim();
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const queue = [];
  lines.on('line', (line) => queue.shift()?.(line));
  return {
    label,
    info,
    request(message) {
      return new Promise((resolve, reject) => {
        queue.push((line) => {
          const reply = JSON.parse(line);
          if (reply.error) reject(new Error(`${label}: ${reply.error}`));
          else resolve(reply);
        });
        child.stdin.write(JSON.stringify(message) + '\n');
      });
    },
    close() {
      child.stdin.end();
    },
  };
}

/** Environment for OpenBLAS peers with the machine's workaround variables removed (see notes). */
export function envWithout(...names) {
  const env = { ...process.env };
  for (const n of names) delete env[n];
  return env;
}

export function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function machineNote(buildInfo) {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `Machine: ${cpu}, ${os.cpus().length} cores, Node ${process.version}; ensemblekit ${buildInfo.version} (${buildInfo.isa}, OpenMP ${buildInfo.openmp ? 'on' : 'off'}, ${buildInfo.compiler}).`;
}

/**
 * Runs the real CLI on one input in a child process under a time limit and a heap ceiling, and
 * measures what a user would see: exit code, stderr lines, peak RSS (from /usr/bin/time), and
 * whether any file in the case's folder appeared, vanished or changed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..', '..');
const cli = join(repoRoot, 'src', 'cli', 'main.ts');
const TIME = '/usr/bin/time';

export interface RunLimits {
  timeoutMs: number;
  /** V8 heap ceiling (--max-old-space-size), in MB. */
  heapMb: number;
  /** Dataset memory budget the CLI is told to respect, in MB. */
  budgetMb: number;
}

export interface RunResult {
  code: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  /** Peak resident set in MB, or null where /usr/bin/time is absent. */
  peakRssMb: number | null;
  ms: number;
}

/** `latent-explorer ...args` in a child process, killed at the time limit. */
export async function runCli(args: string[], limits: RunLimits): Promise<RunResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'hostile-run-'));
  const rssFile = join(scratch, 'rss');
  const node = [`--max-old-space-size=${limits.heapMb}`, '--require', 'tsx/cjs', cli, ...args];
  const measured = existsSync(TIME);
  const [command, argv] = measured ? [TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...node]] : [process.execPath, node];
  const started = performance.now();
  const child = spawn(command, argv, {
    cwd: repoRoot,
    env: { ...process.env, LATENT_EXPLORER_MEMORY_BUDGET_MB: String(limits.budgetMb) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    // The whole process group: /usr/bin/time and the node it runs.
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  }, limits.timeoutMs);
  const code = await new Promise<number | null>((done) => child.on('close', (exit) => done(exit)));
  clearTimeout(timer);
  const ms = performance.now() - started;
  let peakRssMb: number | null = null;
  if (measured && existsSync(rssFile)) {
    const kb = Number((await readFile(rssFile, 'utf8')).trim().split('\n').pop());
    if (Number.isFinite(kb)) peakRssMb = kb / 1024;
  }
  await rm(scratch, { recursive: true, force: true });
  return { code, timedOut, stdout, stderr, peakRssMb, ms };
}

/** Every path under `folder` with its size and modification time (links not followed). */
export async function snapshot(folder: string): Promise<Map<string, string>> {
  const entries = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const info = await lstat(path);
      entries.set(path, `${info.size}:${info.mtimeMs}`);
      if (entry.isDirectory()) await walk(path);
    }
  };
  await walk(folder);
  return entries;
}

/** Paths added, removed or changed between two snapshots. */
export function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed = [...after.keys()].filter((path) => before.get(path) !== after.get(path));
  return [...changed, ...[...before.keys()].filter((path) => !after.has(path))];
}

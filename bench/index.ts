/**
 * `npm run bench`: every benchmark in one run, one after another so they do not compete for the
 * two cores, each in its own process (a fresh heap, and its own peak RSS). Each benchmark prints
 * one JSON object with `--json`; this collects them with the machine, commit and date.
 *
 *   npm run bench                          all benchmarks, a readable summary
 *   npm run bench -- --json                one JSON object on stdout
 *   npm run bench -- --only umap,tsne      a subset
 *   npm run bench -- --out results.json    also write the JSON object to a file
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';

const BENCHMARKS = ['encode', 'pca', 'umap', 'tsne', 'render', 'pipeline', 'kerasLoad', 'onnx'] as const;
type BenchmarkName = (typeof BENCHMARKS)[number];

interface BenchmarkOutcome {
  seconds: number;
  result?: unknown;
  error?: string;
}

const repoRoot = resolve(__dirname, '..');

function parseArguments(argv: string[]): { json: boolean; only: BenchmarkName[]; out: string | null } {
  const json = argv.includes('--json');
  const valueOf = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const requested = valueOf('--only')?.split(',') ?? [...BENCHMARKS];
  const unknown = requested.filter((name) => !(BENCHMARKS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    process.stderr.write(`error: unknown benchmark ${unknown.join(', ')}; choose from ${BENCHMARKS.join(', ')}\n`);
    process.exit(2);
  }
  return { json, only: requested as BenchmarkName[], out: valueOf('--out') ?? null };
}

/** Runs one benchmark script with --json; its progress goes to our stderr, its result is the last stdout line. */
function runBenchmark(name: BenchmarkName): Promise<BenchmarkOutcome> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `bench/${name}.ts`, '--json'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const lastLine = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) return done({ seconds, error: `exited with status ${code}` });
      try {
        done({ seconds, result: JSON.parse(lastLine) });
      } catch {
        done({ seconds, error: `printed no JSON object: ${lastLine.slice(0, 200)}` });
      }
    });
  });
}

function machine() {
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    } catch {
      return null;
    }
  })();
  return {
    date: new Date().toISOString(),
    commit,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

/** Nested results as `path: value` lines, numbers rounded for reading. */
function flatten(value: unknown, path: string, lines: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => flatten(item, `${path}[${index}]`, lines));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) flatten(item, path ? `${path}.${key}` : key, lines);
  } else {
    const shown = typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(4)) : value;
    lines.push(`  ${path}: ${shown}`);
  }
}

async function main(): Promise<void> {
  const { json, only, out } = parseArguments(process.argv.slice(2));
  const report: { machine: ReturnType<typeof machine>; benchmarks: Partial<Record<BenchmarkName, BenchmarkOutcome>> } = { machine: machine(), benchmarks: {} };
  for (const name of only) {
    process.stderr.write(`\n=== bench/${name}.ts\n`);
    report.benchmarks[name] = await runBenchmark(name);
  }
  if (out) writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  if (json) {
    process.stdout.write(JSON.stringify(report) + '\n');
  } else {
    const lines: string[] = [];
    flatten(report.machine, '', lines);
    process.stdout.write(`\nmachine\n${lines.join('\n')}\n`);
    for (const [name, outcome] of Object.entries(report.benchmarks)) {
      const body: string[] = [];
      if (outcome.error) body.push(`  error: ${outcome.error}`);
      else flatten(outcome.result, '', body);
      process.stdout.write(`\n${name} (${outcome.seconds.toFixed(0)} s)\n${body.join('\n')}\n`);
    }
  }
  if (Object.values(report.benchmarks).some((outcome) => outcome.error)) process.exitCode = 1;
}

void main();

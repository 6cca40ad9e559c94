/** The real `latent-explorer` CLI from the sources, in a child process, for the CLI test files. */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '..', '..');
const cli = resolve(repoRoot, 'src', 'cli', 'main.ts');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `latent-explorer ...args` from the repository root; never throws for a non-zero exit. */
export async function latentExplorer(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repoRoot, maxBuffer: 1 << 26, timeout: 300_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

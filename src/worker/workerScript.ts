/** Worker scripts run bundled (.js in dist/) or, in tests, from TypeScript sources through tsx. */
export function workerExecArgv(script: string): string[] {
  // `--import tsx` does not reach worker threads on Node 20; tsx's CommonJS hook does.
  return script.endsWith('.ts') ? ['--require', 'tsx/cjs'] : [];
}

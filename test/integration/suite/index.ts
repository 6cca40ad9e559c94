/**
 * Entry point that VS Code's extension host calls for `extensionTestsPath` (the code-server
 * launcher uses it; @vscode/test-cli brings its own). Runs every *.test.js bundled beside it.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

/** Runs the suite; rejects when any test fails so the host exits with a non-zero code. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec' });
  for (const file of readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort()) {
    mocha.addFile(join(__dirname, file));
  }
  return new Promise((done, fail) => {
    mocha.run((failures) => (failures > 0 ? fail(new Error(`${failures} integration test(s) failed`)) : done()));
  });
}

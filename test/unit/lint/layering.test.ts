// The layering rules of eslint.config.mjs fire: a snippet importing across a forbidden boundary,
// linted as if it lived in that layer, gets a no-restricted-imports error; the allowed direction
// gets none.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';

const repoRoot = resolve(__dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: repoRoot });

/** The no-restricted-imports messages for `code` linted as the file at `path` (relative to the repo). */
async function violations(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(repoRoot, path) });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering lint rules', () => {
  const cases: { file: string; code: string; rule: RegExp }[] = [
    { file: 'src/core/model/probe.ts', code: "import { workerExecArgv } from '../../worker/workerScript';\nexport const a = workerExecArgv;\n", rule: /core runs in plain Node/ },
    { file: 'src/core/session/probe.ts', code: "import type { CommandHost } from '../../vscode/commands';\nexport type A = CommandHost;\n", rule: /core runs in plain Node/ },
    { file: 'src/core/probe.ts', code: "import { runCli } from '../cli/main';\nexport const a = runCli;\n", rule: /core runs in plain Node/ },
    { file: 'src/core/probe.ts', code: "import { createNonce } from '../host/html';\nexport const a = createNonce;\n", rule: /core runs in plain Node/ },
    { file: 'src/core/compute/probe.ts', code: "import { computeThreads } from '../../worker/computeThreads';\nexport const a = computeThreads;\n", rule: /core runs in plain Node/ },
    { file: 'src/core/probe.ts', code: "import * as vscode from 'vscode';\nexport const a = vscode;\n", rule: /must run without VS Code/ },
    { file: 'src/cli/probe.ts', code: "import { panelTitle } from '../vscode/panels';\nexport const a = panelTitle;\n", rule: /put what both hosts share in src\/host\// },
    { file: 'src/host/probe.ts', code: "import { runCli } from '../cli/main';\nexport const a = runCli;\n", rule: /imports neither/ },
    { file: 'src/shared/probe.ts', code: "import { readFile } from 'node:fs';\nexport const a = readFile;\n", rule: /no Node modules/ },
    { file: 'webview/probe.ts', code: "import { ExplorerSession } from '../src/core/session';\nexport const a = ExplorerSession;\n", rule: /only through src\/shared\/protocol.ts/ },
  ];
  for (const { file, code, rule } of cases) {
    test(`${file}: ${code.split('\n')[0]} is refused`, async () => {
      const messages = await violations(file, code);
      assert.equal(messages.length, 1, JSON.stringify(messages));
      assert.match(messages[0], rule);
    });
  }

  test('the allowed directions pass: cli → host, worker → core, host → shared, core → core', async () => {
    assert.deepEqual(await violations('src/cli/probe.ts', "import { createNonce } from '../host/html';\nexport const a = createNonce;\n"), []);
    assert.deepEqual(await violations('src/worker/probe.ts', "import { ExplorerSession } from '../core/session';\nexport const a = ExplorerSession;\n"), []);
    assert.deepEqual(await violations('src/host/probe.ts', "import type { ViewKind } from '../shared/protocol';\nexport type A = ViewKind;\n"), []);
    assert.deepEqual(await violations('src/core/session/probe.ts', "import { projectPca } from '../compute/pca';\nexport const a = projectPca;\n"), []);
  });
});

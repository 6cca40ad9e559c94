import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { instantiateKernels, KernelMemory } from '../../src/core/compute/wasmKernels';

test('KernelMemory allocates aligned arrays that stay valid as it grows, and refuses more than WebAssembly’s 4 GiB with the size asked for', () => {
  const memory = new KernelMemory();
  const first = memory.float32(10).fill(1.5);
  const large = memory.float64(1_000_000);
  const flags = memory.uint8(3);
  assert.equal(first[9], 1.5, 'growing the memory kept the earlier array');
  for (const array of [first, large, flags]) assert.equal(array.byteOffset % 64, 0);
  assert.ok(large.byteOffset >= first.byteOffset + first.byteLength && flags.byteOffset >= large.byteOffset + large.byteLength, 'arrays do not overlap');
  // The kernels read what JS wrote into the memory.
  const rows = memory.float32(2 * 8);
  rows.set([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0]);
  assert.equal(instantiateKernels(memory.memory).squaredDistanceWithin(rows.byteOffset, 0, 1, 8, Infinity), 30);
  assert.throws(() => memory.float32(2 ** 30), /compute needs 4\.0 GiB of kernel memory, more than WebAssembly's 4 GiB/);
});

/** Each function's parameter count, by name: the members of `interfaceName`, else the file's exported functions. */
function signatures(path: string, interfaceName?: string): Map<string, number> {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022);
  const arities = new Map<string, number>();
  for (const statement of source.statements) {
    if (interfaceName && ts.isInterfaceDeclaration(statement) && statement.name.text === interfaceName) {
      for (const member of statement.members) if (ts.isMethodSignature(member)) arities.set(member.name.getText(source), member.parameters.length);
    }
    const exported = ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
    if (!interfaceName && ts.isFunctionDeclaration(statement) && statement.name && exported) arities.set(statement.name.text, statement.parameters.length);
  }
  return arities;
}

test('the kernels’ generated typings name every export of the compiled module with its arity, as the AssemblyScript sources declare them', () => {
  const compute = join(__dirname, '../../src/core/compute');
  const typed = signatures(join(compute, 'kernelExports.generated.ts'), 'KernelExports');
  const exported = new Map(
    Object.entries(instantiateKernels(new KernelMemory().memory))
      .filter((entry): entry is [string, (...args: number[]) => number] => typeof entry[1] === 'function')
      .map(([name, kernel]) => [name, kernel.length]),
  );
  const declared = new Map(readdirSync(join(compute, 'kernels')).filter((file) => file.endsWith('.ts')).flatMap((file) => [...signatures(join(compute, 'kernels', file))]));
  assert.ok(typed.size >= 12, `the typings list the kernels (${typed.size})`);
  assert.deepEqual([...typed].sort(), [...exported].sort(), 'typings and module agree (stale typings: run node esbuild.mjs --kernels)');
  assert.deepEqual([...declared].sort(), [...exported].sort(), 'sources and module agree');
  assert.equal(typed.get('layoutChunk'), 20);
});

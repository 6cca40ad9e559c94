/** Opens an explorer session on the bundled mnist-dense sample and its 2,000 MNIST test images. */
import { join } from 'node:path';
import { ExplorerSession } from '../../../../src/core/session';
import { InProcessProjectionRunner, type ProjectionRunner } from '../../../../src/core/projection';
import { bundledSamplesRoot } from '../../../../src/cli/samples';

export function openMnistDense(sampleLimit: number, runner: ProjectionRunner = new InProcessProjectionRunner()): Promise<ExplorerSession> {
  const root = bundledSamplesRoot();
  return ExplorerSession.open({
    view: 'explorer',
    modelPaths: [join(root, 'mnist-dense')],
    dataPath: join(root, 'data', 'mnist-test-2000'),
    settings: { sampleLimit, seed: 3 },
    runner,
  });
}

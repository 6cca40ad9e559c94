/** What a helper thread runs for each task (kept apart from threads.ts so that module stays import-free). */
import { runDescentUnits, type DescentState } from './knn';
import type { HelperTask } from './threads';
import { scoreSampleUnits, type TrustworthinessState } from './trustworthiness';
import { runAttractionHelper, type AttractionState } from './tsneAttraction';
import { runLayoutChunks, type LayoutState } from './umapOptimize';

export function runHelperTask(task: HelperTask, state: object, thread: number): void {
  switch (task) {
    case 'nnDescent':
      return runDescentUnits(state as DescentState, thread);
    case 'umapLayout':
      return runLayoutChunks(state as LayoutState, thread);
    case 'tsneAttraction':
      return runAttractionHelper(state as AttractionState);
    case 'trustworthiness':
      return scoreSampleUnits(state as TrustworthinessState);
  }
}

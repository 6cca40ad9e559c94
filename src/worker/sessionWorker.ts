/**
 * Session worker: hosts one ExplorerSession off the extension host's thread, so loading, encoding
 * and every request's computation never block VS Code. Requests that arrive while the session is
 * still opening wait for it; if opening fails, each of them is answered with that error.
 */
import { parentPort } from 'node:worker_threads';
import type { FromWebviewMessage, ToWebviewMessage } from '../shared/protocol';
import type { FromSessionWorker, ToSessionWorker } from '../shared/workerProtocol';
import type { ErrorInfo } from '../shared/types';
import { ExplorerSession } from '../core/session';
import { toErrorInfo } from '../util/errors';
import { computeThreads } from './computeThreads';
import { WorkerProjectionRunner } from './projectionRunner';
import { startEncodeThread } from './encodeThreads';
import { provideEncodeThreads } from '../core/model/encodePool';

const port = parentPort;
if (!port) throw new Error('sessionWorker must run as a worker thread');

provideEncodeThreads(startEncodeThread);

const post = (message: FromSessionWorker) => port.postMessage(message);
const toWebview = (message: ToWebviewMessage) => post({ type: 'message', message });

let channel: ReturnType<ExplorerSession['attach']> | null = null;
let openError: ErrorInfo | null = null;
const waiting: FromWebviewMessage[] = [];

function answerWithError(message: FromWebviewMessage, error: ErrorInfo): void {
  toWebview({ kind: 'response', id: message.id, type: message.type, ok: false, error });
}

port.on('message', (message: ToSessionWorker) => {
  if (message.type === 'open') {
    ExplorerSession.open({
      ...message.options,
      runner: new WorkerProjectionRunner(),
      threads: computeThreads(),
      onLoading: (stage, fraction) => post({ type: 'loading', stage, fraction }),
    }).then(
      (session) => {
        channel = session.attach(toWebview);
        post({ type: 'opened' });
        for (const queued of waiting.splice(0)) channel.receive(queued);
      },
      (error: unknown) => {
        openError = toErrorInfo(error);
        post({ type: 'openFailed', error: openError });
        for (const queued of waiting.splice(0)) answerWithError(queued, openError);
      },
    );
    return;
  }
  if (channel) channel.receive(message.message);
  else if (openError) answerWithError(message.message, openError);
  else waiting.push(message.message);
});

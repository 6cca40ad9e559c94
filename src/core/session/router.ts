/**
 * Routes each session request to its handler through one table the compiler checks is complete,
 * after checking the body against the limits; connects a session to a message channel with
 * cancel and progress.
 */
import {
  isHostRequest,
  isSessionRequestType,
  type FromWebviewMessage,
  type RequestBody,
  type ResponseBody,
  type SessionRequestType,
  type ToWebviewMessage,
} from '../../shared/protocol';
import { backendFallback } from '../model';
import { toErrorInfo } from '../../util/errors';
import { validateRequest } from './limits';
import { SessionError, slotSummary, type RequestContext, type SessionState } from './state';
import { baseline, project } from './handlers/projection';
import { clusterCentroids, column, rank } from './handlers/columns';
import { activations, denoise, samples } from './handlers/samples';
import { decodeAt, interpolate, latentHealth, priorSamples, traverse } from './handlers/latent';
import { compareStats } from './handlers/compare';
import { exportCodes, neighbors } from './handlers/codes';

export type Handler<K extends SessionRequestType> = (
  state: SessionState,
  body: RequestBody<K>,
  context: RequestContext,
) => Promise<ResponseBody<K>> | ResponseBody<K>;

/** The session's requests and who answers each. */
export type SessionHandlers = { [K in SessionRequestType]: Handler<K> };

export const HANDLERS: SessionHandlers = {
  ready: (state) => ({
    view: state.options.view,
    models: state.slots.map((s, i) => ({ slot: s.slot, label: s.label, path: state.options.codesPath ?? state.options.modelPaths[i], summary: slotSummary(state, s) })),
    dataset: state.data?.info ?? null,
    backend: state.backend,
    backendFallback: backendFallback(),
    settings: state.settings,
    labels: state.data?.labels ?? null,
  }),
  // Answered by `attach` as it arrives (it must not wait behind the request it stops); a direct call has nothing to stop.
  cancel: () => ({}),
  project,
  baseline,
  column,
  rank,
  clusterCentroids,
  samples,
  denoise,
  activations,
  decodeAt,
  interpolate,
  traverse,
  priorSamples,
  latentHealth,
  compareStats,
  neighbors,
  exportCodes,
};

/** A context for calls outside a message channel (CLI, tests): nothing cancels it, progress goes nowhere. */
export const DETACHED: RequestContext = { signal: new AbortController().signal, progress: () => {} };

/** Answers one request: checks its body against the limits, then runs its handler. */
export async function route<K extends SessionRequestType>(state: SessionState, type: K, body: RequestBody<K>, context: RequestContext = DETACHED): Promise<ResponseBody<K>> {
  if (!isSessionRequestType(type)) throw new SessionError('unsupported', `unknown request type ${JSON.stringify(type)}`);
  validateRequest(state, type, body);
  const handler: Handler<K> = HANDLERS[type];
  return handler(state, body, context);
}

/** A session connected to one message channel. */
export interface Channel {
  receive(message: FromWebviewMessage): void;
  dispose(): void;
}

/**
 * Connects a session to a message channel: every request gets exactly one response, `cancel`
 * aborts the request it names (which then answers with code `cancelled`), and requests the host
 * should have answered get an `unsupported` error.
 */
export function attach(state: SessionState, post: (message: ToWebviewMessage) => void): Channel {
  const running = new Map<number, AbortController>();
  return {
    receive: (message) => {
      if (message.kind !== 'request') return;
      const { id } = message;
      if (message.type === 'cancel') {
        running.get(message.body.target)?.abort();
        post({ kind: 'response', id, type: 'cancel', ok: true, body: {} });
        return;
      }
      if (isHostRequest(message)) {
        const error = new SessionError('unsupported', `"${message.type}" is handled by the host, not the session`);
        post({ kind: 'response', id, type: message.type, ok: false, error: toErrorInfo(error) });
        return;
      }
      const controller = new AbortController();
      running.set(id, controller);
      const context: RequestContext = {
        signal: controller.signal,
        progress: (stage, fraction, positions) => post({ kind: 'event', type: 'progress', requestId: id, stage, fraction, positions }),
      };
      answer(state, message, context).then(
        (response) => {
          running.delete(id);
          post(response);
        },
        (error: unknown) => {
          running.delete(id);
          const info = controller.signal.aborted ? { message: 'cancelled', code: 'cancelled' } : toErrorInfo(error);
          post({ kind: 'response', id, type: message.type, ok: false, error: info });
        },
      );
    },
    dispose: () => {
      for (const controller of running.values()) controller.abort();
      running.clear();
    },
  };
}

/** The response message for one request, its body typed by the request's type. */
async function answer<K extends SessionRequestType>(
  state: SessionState,
  message: { id: number; type: K; body: RequestBody<K> },
  context: RequestContext,
): Promise<ToWebviewMessage> {
  const body = await route(state, message.type, message.body, context);
  return { kind: 'response', id: message.id, type: message.type, ok: true, body };
}

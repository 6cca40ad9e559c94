/** The explorer session: what the worker, the CLI and tests open. */
export { ExplorerSession, DEFAULT_SETTINGS, type OpenSessionOptions } from './session';
export { SessionError, type RequestContext } from './state';
export { compareCodes, type CodesForComparison } from './handlers/compare';
export { HANDLERS, type Handler, type SessionHandlers } from './router';
export { LIMITS } from './limits';

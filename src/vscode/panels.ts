/**
 * The explorer and comparison panels: one panel per session (asking again for an open session
 * reveals it), and a serializer per panel type so panels come back after a window reload.
 */
import * as vscode from 'vscode';
import type { ViewKind } from '../shared/protocol';
import { VIEW_TYPES } from './ids';
import { reportError } from './log';
import { panelTitle, sessionFromWebviewState, sessionKey, type PanelSessionState } from '../host/panelState';
import { SessionWebview, webviewOptions, type SessionHost } from './sessionWebview';

/** Views shown in their own panel (the inspect view lives in the model.json custom editor). */
type PanelView = Exclude<ViewKind, 'inspect'>;

const PANEL_VIEW_TYPES: Record<PanelView, string> = { explorer: VIEW_TYPES.explorer, compare: VIEW_TYPES.compare };

const openPanels = new Map<string, SessionWebview>();

/**
 * Shows the panel for `session`: reveals it when already open, else opens a new one. A saved
 * session replaces an open panel on the same models and data, which shows other choices.
 */
export function showSessionPanel(host: SessionHost, session: PanelSessionState & { view: PanelView }): SessionWebview {
  const existing = openPanels.get(sessionKey(session));
  if (existing && !session.restore) {
    existing.panel.reveal();
    return existing;
  }
  if (existing) {
    openPanels.delete(sessionKey(session));
    existing.panel.dispose();
  }
  const panel = vscode.window.createWebviewPanel(
    PANEL_VIEW_TYPES[session.view],
    panelTitle(session),
    vscode.ViewColumn.Active,
    webviewOptions(host.extensionUri),
  );
  return adopt(panel, session, host);
}

function adopt(panel: vscode.WebviewPanel, session: PanelSessionState, host: SessionHost): SessionWebview {
  let view: SessionWebview;
  try {
    view = new SessionWebview(panel, session, host);
  } catch (error) {
    panel.dispose();
    throw error;
  }
  const key = sessionKey(session);
  openPanels.set(key, view);
  panel.onDidDispose(() => {
    if (openPanels.get(key) === view) openPanels.delete(key);
  });
  return view;
}

/**
 * Registers the reload serializers of both panel types. Open panels are deliberately not closed
 * when this is disposed (the extension host shutting down): a panel closed then would not be
 * restored after a reload, and the session workers end with the host process anyway.
 */
export function registerPanels(host: SessionHost): vscode.Disposable {
  const registrations = (Object.keys(PANEL_VIEW_TYPES) as PanelView[]).map((view) =>
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPES[view], {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
        const session = sessionFromWebviewState(state);
        if (!session || session.view !== view) {
          host.log.warn(`could not restore a ${view} panel: its saved state holds no session (${JSON.stringify(state)?.slice(0, 200)})`);
          panel.dispose();
          return;
        }
        panel.title = panelTitle(session);
        try {
          adopt(panel, session, host);
        } catch (error) {
          reportError(host.log, `Could not restore ${panelTitle(session)}`, error);
        }
      },
    }),
  );
  return new vscode.Disposable(() => {
    for (const registration of registrations) registration.dispose();
  });
}

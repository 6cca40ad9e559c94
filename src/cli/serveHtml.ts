/**
 * The page `latent-explorer serve` sends to a browser: the VS Code webview shell (same root element,
 * same body attributes, same nonce-only script policy from `vscode/html.ts`) plus the one thing a
 * browser page needs that a webview does not: `connect-src` for its WebSocket back to the server.
 */
import { contentSecurityPolicy, escapeHtml, SESSION_ATTRIBUTE } from '../vscode/html';
import type { PanelSessionState } from '../vscode/panelState';

export interface ServePageParts {
  /** The server's own origin, e.g. `http://127.0.0.1:5173`. */
  origin: string;
  nonce: string;
  title: string;
  session: PanelSessionState;
}

/** Content-Security-Policy of the served page: the webview's, plus the WebSocket to its own origin. */
export function servePagePolicy(origin: string, nonce: string): string {
  const socketOrigin = origin.replace(/^http/, 'ws');
  return `${contentSecurityPolicy(origin, nonce)}; connect-src ${socketOrigin}`;
}

/** The complete HTML document served at `/`. */
export function renderServePage(parts: ServePageParts): string {
  const attr = escapeHtml;
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${attr(servePagePolicy(parts.origin, parts.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>${escapeHtml(parts.title)}</title>
  </head>
  <body data-view="${attr(parts.session.view)}" data-host="browser" ${SESSION_ATTRIBUTE}="${attr(JSON.stringify(parts.session))}">
    <div id="app"></div>
    <script nonce="${attr(parts.nonce)}" src="/webview.js"></script>
  </body>
</html>
`;
}

/**
 * The one place that builds the webview page: a strict Content-Security-Policy with a per-page
 * nonce, the bundled `dist/webview.js`, and the session the panel shows (so the webview can keep it
 * in its persisted state for the panel serializer). Plain strings in, a string out: no `vscode`
 * import, so it is unit-tested directly.
 */
import { randomBytes } from 'node:crypto';
import type { PanelSessionState } from './panelState';

/** Folders under the extension root the webview may load from (`localResourceRoots`). */
export const WEBVIEW_RESOURCE_FOLDERS = ['dist', 'media'] as const;

/** The webview bundle, relative to the extension root. */
export const WEBVIEW_SCRIPT = ['dist', 'webview.js'] as const;

/** Attribute on `<body>` holding the panel's session as JSON; the webview stores it under `session` in its state. */
export const SESSION_ATTRIBUTE = 'data-session';

export interface WebviewPageParts {
  /** `webview.cspSource`: the origin local resources are served from (the server's origin in `serve`). */
  cspSource: string;
  /** `webview.asWebviewUri(dist/webview.js)`, as a string. */
  scriptUri: string;
  /** Origins the page may connect to; none in VS Code (postMessage), the WebSocket in `serve`. */
  connectSources?: string[];
  /** `data-host` on `<body>`: which host embeds the page; VS Code when absent. */
  host?: 'browser';
  nonce: string;
  title: string;
  session: PanelSessionState;
}

/** A fresh nonce for one page: 128 random bits, base64 without characters that need escaping in a CSP. */
export function createNonce(): string {
  return randomBytes(16).toString('base64').replace(/[+/=]/g, (c) => ({ '+': '-', '/': '_', '=': '' })[c] ?? '');
}

/** Escapes text for an HTML attribute value or element content. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The Content-Security-Policy: scripts only with this page's nonce; styles, images and fonts only
 * from `cspSource` (no inline styles: the bundle adopts its stylesheet, D3 and the UI toolkit set
 * style properties through the CSSOM); connections only to `connectSources`.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string, connectSources: readonly string[] = []): string {
  if (!/^[A-Za-z0-9_-]+$/.test(nonce)) throw new Error(`invalid CSP nonce ${JSON.stringify(nonce)}`);
  const directives = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data: blob:`,
    `font-src ${cspSource}`,
  ];
  if (connectSources.length > 0) directives.push(`connect-src ${connectSources.join(' ')}`);
  return directives.join('; ');
}

/** The complete HTML document for a Latent Explorer page (VS Code webview, or the `serve` page). */
export function renderWebviewPage(parts: WebviewPageParts): string {
  const attr = escapeHtml;
  const policy = contentSecurityPolicy(parts.cspSource, parts.nonce, parts.connectSources);
  const host = parts.host ? ` data-host="${attr(parts.host)}"` : '';
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${attr(policy)}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>${escapeHtml(parts.title)}</title>
  </head>
  <body data-view="${attr(parts.session.view)}"${host} ${SESSION_ATTRIBUTE}="${attr(JSON.stringify(parts.session))}">
    <div id="app"></div>
    <script nonce="${attr(parts.nonce)}" src="${attr(parts.scriptUri)}"></script>
  </body>
</html>
`;
}

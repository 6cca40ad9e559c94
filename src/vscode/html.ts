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
  /** `webview.cspSource`: the origin local resources are served from. */
  cspSource: string;
  /** `webview.asWebviewUri(dist/webview.js)`, as a string. */
  scriptUri: string;
  /** Extra stylesheets (webview URIs), e.g. the codicon font's CSS. */
  stylesheetUris?: string[];
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
 * from the extension. Styles also allow inline because the bundle injects its CSS as a `<style>`
 * element and D3 and the UI toolkit set style properties; no script can run from that.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(nonce)) throw new Error(`invalid CSP nonce ${JSON.stringify(nonce)}`);
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `img-src ${cspSource} data: blob:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

/** The complete HTML document for a Latent Explorer webview. */
export function renderWebviewPage(parts: WebviewPageParts): string {
  const attr = escapeHtml;
  const stylesheets = (parts.stylesheetUris ?? [])
    .map((uri, index) => {
      // @vscode-elements finds the codicon stylesheet by this id.
      const id = index === 0 ? ' id="vscode-codicon-stylesheet"' : '';
      return `    <link rel="stylesheet" href="${attr(uri)}"${id}>\n`;
    })
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(parts.cspSource, parts.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
${stylesheets}    <title>${escapeHtml(parts.title)}</title>
  </head>
  <body data-view="${attr(parts.session.view)}" ${SESSION_ATTRIBUTE}="${attr(JSON.stringify(parts.session))}">
    <div id="app"></div>
    <script nonce="${attr(parts.nonce)}" src="${attr(parts.scriptUri)}"></script>
  </body>
</html>
`;
}

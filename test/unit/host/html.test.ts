import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentSecurityPolicy, createNonce, escapeHtml, renderWebviewPage, SESSION_ATTRIBUTE } from '../../../src/host/html';
import type { PanelSessionState } from '../../../src/host/panelState';

const session: PanelSessionState = { view: 'explorer', modelPaths: ['/m/"odd" <name>/model.json'], dataPath: "/d/it's & data" };
const parts = {
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js',
  nonce: 'abcDEF123_-',
  title: 'Latent Explorer: <mnist>',
  session,
};

function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

describe('html', () => {
  it('createNonce() returns distinct CSP-safe nonces of 128 bits', () => {
    const nonces = new Set(Array.from({ length: 50 }, createNonce));
    assert.equal(nonces.size, 50);
    for (const nonce of nonces) {
      assert.match(nonce, /^[A-Za-z0-9_-]{22}$/);
      assert.doesNotThrow(() => contentSecurityPolicy('x', nonce));
    }
  });

  it('contentSecurityPolicy(source, nonce) allows scripts only by nonce and nothing by default', () => {
    const csp = contentSecurityPolicy(parts.cspSource, 'n0nce');
    const directives = csp.split('; ');
    assert.equal(directives[0], "default-src 'none'");
    assert.ok(directives.includes("script-src 'nonce-n0nce'"));
    assert.ok(directives.includes(`img-src ${parts.cspSource} data: blob:`));
    assert.ok(directives.includes(`style-src ${parts.cspSource}`));
    assert.ok(!/unsafe|\*/.test(csp), csp);
    assert.ok(!csp.includes('connect-src'), 'the webview talks only through postMessage');
  });

  it('contentSecurityPolicy(source, nonce, connectSources) allows connections only to the given origins', () => {
    assert.ok(contentSecurityPolicy('http://127.0.0.1:5173', 'n', ['ws://127.0.0.1:5173']).endsWith('; connect-src ws://127.0.0.1:5173'));
  });

  it('contentSecurityPolicy(source, nonce) rejects a nonce that could break out of the policy', () => {
    assert.throws(() => contentSecurityPolicy('x', "a' 'unsafe-inline"), /invalid CSP nonce "a' 'unsafe-inline"/);
    assert.throws(() => contentSecurityPolicy('x', ''), /invalid CSP nonce ""/);
  });

  it('escapeHtml(text) escapes the five HTML-significant characters', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });

  it('renderWebviewPage(parts) loads the bundle with the nonce under the CSP meta tag', () => {
    const html = renderWebviewPage(parts);
    const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/);
    assert.ok(meta, 'CSP meta tag present');
    assert.equal(unescapeHtml(meta[1]), contentSecurityPolicy(parts.cspSource, parts.nonce));
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    assert.deepEqual(scripts, [`<script nonce="${parts.nonce}" src="${parts.scriptUri}">`]);
    assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<script'), 'policy precedes every script');
    assert.ok(html.includes('<title>Latent Explorer: &#60;mnist&#62;</title>'));
    assert.ok(!html.includes('<link'), 'the bundle adopts its own stylesheet');
  });

  it('renderWebviewPage(parts) stores the session on <body> so it round-trips through the attribute', () => {
    const html = renderWebviewPage(parts);
    const attribute = html.match(new RegExp(`${SESSION_ATTRIBUTE}="([^"]*)"`));
    assert.ok(attribute);
    assert.deepEqual(JSON.parse(unescapeHtml(attribute[1])), session);
    assert.match(html, /<body data-view="explorer" /);
  });

  it('renderWebviewPage(parts) marks a browser host on <body> and puts its WebSocket into the policy', () => {
    const html = renderWebviewPage({ ...parts, cspSource: 'http://127.0.0.1:5173', scriptUri: '/webview.js', host: 'browser', connectSources: ['ws://127.0.0.1:5173'] });
    assert.match(html, /<body data-view="explorer" data-host="browser" data-session=/);
    assert.ok(html.includes('connect-src ws://127.0.0.1:5173'));
    assert.ok(html.includes(`<script nonce="${parts.nonce}" src="/webview.js"></script>`));
    assert.ok(!renderWebviewPage(parts).includes('data-host'));
  });
});

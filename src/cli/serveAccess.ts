/**
 * Who may use a `serve` page, as Jupyter decides it: a random token in the printed URL, asked of
 * every HTTP request and WebSocket upgrade, kept after the first page load in an HttpOnly,
 * SameSite=Strict cookie so the page's script and its WebSocket carry it without putting it in
 * their URLs. Without it, any local process (or any page that guessed the port and set the Origin
 * header from outside a browser) would get a full session: the model, the dataset's pixels, exports.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** 32 random bytes, base64url: 256 bits, and nothing that needs escaping in a URL or a cookie. */
export function createAccessToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Sent with every response: no page may frame ours (clickjacking, and 40 iframes opening 40
 * sessions), and no response is sniffed as another type. `frame-ancestors` works only as a header:
 * browsers ignore it in the page's `<meta>` policy, which is why it is not there.
 */
export const PROTECTIVE_HEADERS: OutgoingHttpHeaders = {
  'content-security-policy': "frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The answer to a request without the token: where to find the right URL, and nothing more. */
export const FORBIDDEN_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8"><title>Latent Explorer: token needed</title></head>
<body><p>This Latent Explorer server needs its token. Open the URL that <code>latent-explorer serve</code> printed (it ends in <code>?token=…</code>).</p></body></html>
`;

/** How a request showed the token, if it did: the cookie is set when it came any other way. */
export type TokenSource = 'cookie' | 'query' | 'header';

export interface AccessCheck {
  /** Where the matching token came from; null when none matched (answer 403). */
  grantedBy(request: IncomingMessage, query: URLSearchParams): TokenSource | null;
  /** `Set-Cookie` value that lets the page's own requests through after its first load. */
  readonly cookie: string;
  readonly cookieName: string;
}

/**
 * Checks requests against `token`. The cookie's name carries the port, as Jupyter's does: cookies
 * are shared by every port of a host, so two servers on 127.0.0.1 must not overwrite each other's.
 */
export function accessCheck(token: string, port: number): AccessCheck {
  const cookieName = `latent-explorer-token-${port}`;
  const expected = digest(token);
  // Both sides hashed to 32 bytes: timingSafeEqual needs equal lengths, and then even the length of
  // a wrong guess cannot be learned from how long the comparison took.
  const matches = (candidate: string | null | undefined) => typeof candidate === 'string' && candidate.length > 0 && timingSafeEqual(digest(candidate), expected);
  return {
    cookieName,
    cookie: `${cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`,
    grantedBy(request, query) {
      if (matches(cookieValue(request.headers.cookie, cookieName))) return 'cookie';
      if (matches(query.get('token'))) return 'query';
      const authorization = /^token\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      if (matches(authorization?.[1])) return 'header';
      return null;
    },
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The value of cookie `name` in a Cookie header, or null. */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return null;
}

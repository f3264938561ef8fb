import type { secureHeaders } from 'hono/secure-headers';

type Options = NonNullable<Parameters<typeof secureHeaders>[0]>;

/** Pages (the web client and the terminal's text): the full set, with a Content-Security-Policy the client passes. */
export const PAGE_SECURITY_HEADERS: Options = {
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
  },
  crossOriginResourcePolicy: 'same-origin',
};

/**
 * JSON is never a page: OWASP's set for REST APIs (nothing may load, frame or sniff it), without the headers
 * that only mean something for documents or for retired browsers; each header costs on every response.
 */
export const API_SECURITY_HEADERS: Options = {
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  crossOriginResourcePolicy: 'same-origin',
  xFrameOptions: 'DENY',
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};

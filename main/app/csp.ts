/**
 * The Content-Security-Policy of the renderer page, one string for both hosts: sent as a header by
 * the app:// protocol handler (Electron) and by the web host, on top of the <meta> the renderer
 * build adds. No inline script, no eval, nothing from the network: every resource comes from the
 * page's own origin (app://podpath, or http://127.0.0.1:PORT). Inline styles are allowed because
 * React and cytoscape set `style` attributes; workers may start from blob: URLs (the simulation
 * worker). `frame-ancestors 'none'` and `form-action 'none'` close clickjacking and form posts.
 */
export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'worker-src': ["'self'", 'blob:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
  'frame-src': ["'none'"],
};

export function contentSecurityPolicy(directives = CSP_DIRECTIVES): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

export const CSP = contentSecurityPolicy();

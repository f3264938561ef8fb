import { Hono } from 'hono';
import { health as databaseHealth } from '../../services/admin';
import { forbidden } from '../../errors';
import type { AppEnv } from '../env';
import { layoutText } from '../../render/text';
import { parseWidth } from '../negotiate';
import { socketIp } from '../rate-limit';
import { formatOf } from '../env';

const isLoopback = (ip: string) => ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';

export const DEFAULT_GUIDELINES = `bluetwit community guidelines

bluetwit is for colleagues: share what you are working on, ask for help, find the people who know.

1. Be the colleague you would want to sit next to. Disagree with ideas, not people.
2. Keep customer data, credentials and anything confidential off bluetwit.
3. Say who you are: bots are marked as bots, people post as themselves.
4. Don't flood: a bot that posts should post what people asked for.
5. If something bothers you, mute or block; if it breaks these guidelines, report it.
   Admins read reports; there is no other policing.
`;

/** Health and guidelines. */
export const metaRoutes = new Hono<AppEnv>()
  .get('/healthz', (c) => {
    const health = databaseHealth(c.get('deps'));
    if (!health.ok) return c.json({ status: 'unavailable', reason: health.reason }, 503);
    return c.json({ status: 'ok' });
  })
  .get('/metrics', async (c) => {
    const actor = c.get('actor');
    // Loopback means a local scraper talking to us directly: a proxied request (X-Forwarded-For) never counts.
    const local = isLoopback(socketIp(c)) && c.req.header('x-forwarded-for') === undefined;
    if (!local && actor?.role !== 'admin') throw forbidden('Metrics are served to loopback or admins.');
    // A read, like any other: an admin's write-only token does not get it.
    if (!local && !actor!.scopes.has('read')) throw forbidden('This token lacks the read scope.', 'insufficient_scope');
    return c.body(await c.get('metrics').registry.metrics(), 200, { 'Content-Type': c.get('metrics').registry.contentType });
  })
  .get('/guidelines', (c) => {
    const text = c.get('deps').config.guidelines ?? DEFAULT_GUIDELINES;
    // Negotiated like every public URL (Accept with q-values, ?format=); shared caches keep the versions apart.
    c.header('Vary', 'Accept');
    const format = formatOf(c);
    if (format === 'json') return c.json({ guidelines: text });
    if (format === 'html') {
      const escaped = text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
      return c.html(`<!doctype html><meta charset="utf-8"><title>Community guidelines · bluetwit</title><pre style="white-space:pre-wrap;max-width:70ch;margin:2rem auto;font:1rem/1.5 system-ui">${escaped}</pre>`);
    }
    return c.text(`${layoutText(text, parseWidth(c.req.query('width'))).trimEnd()}\n`, 200, { 'Content-Type': 'text/plain; charset=utf-8' });
  });

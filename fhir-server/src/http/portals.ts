import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Context, Middleware, Next } from 'koa';
import type { PortalConfig } from '../config';
import type { Logger } from '../logger';

/** Angular's output hashing: `main-ABCDEFGH.js`, `chunk-XXXXXXXX.js`, `styles-XXXXXXXX.css`, `media/x-XXXXXXXX.woff2`. */
const HASHED = /-[A-Z0-9]{8}\.[a-z0-9]+$/;
const ONE_YEAR = 'public, max-age=31536000, immutable';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The portals' own Content-Security-Policy: scripts only from the portal's files, the API on
 * the same origin. Angular injects component styles as <style> elements, hence 'unsafe-inline'
 * for styles only.
 */
const PORTAL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the built portals (Angular `dist/` folders) under their mount paths, e.g.
 * `/patient/`: files as they are, any other path inside the mount falls back to index.html
 * (client-side routes), index.html is never cached and hashed assets are cached for a year.
 * A portal without a build is skipped with a log line. Other requests pass through.
 */
export function portals(configs: readonly PortalConfig[], logger: Logger): Middleware {
  const mounted = configs.filter((portal) => {
    if (existsSync(path.join(portal.distDir, 'index.html'))) {
      logger.info('Serving portal', { portal: portal.name, path: `${portal.mountPath}/`, distDir: portal.distDir });
      return true;
    }
    logger.info('Portal not built, not served', { portal: portal.name, distDir: portal.distDir, build: `npm run build -w ${portal.name}` });
    return false;
  });

  return async (ctx: Context, next: Next) => {
    const portal = mounted.find((p) => ctx.path === p.mountPath || ctx.path.startsWith(`${p.mountPath}/`));
    if (!portal || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      return next();
    }
    if (ctx.path === portal.mountPath) {
      ctx.status = 301;
      ctx.redirect(`${portal.mountPath}/${ctx.search}`);
      return;
    }
    ctx.set('Content-Security-Policy', PORTAL_CSP);
    const file = await findFile(portal.distDir, ctx.path.slice(portal.mountPath.length + 1));
    if (file && file.path !== path.resolve(portal.distDir, 'index.html')) {
      sendFile(ctx, file.path, file.size, HASHED.test(path.basename(file.path)) ? ONE_YEAR : 'no-cache');
      return;
    }
    if (path.extname(ctx.path) && path.extname(ctx.path) !== '.html') {
      // A missing asset (say, a chunk of an older build) is a 404, not the app's HTML.
      ctx.status = 404;
      ctx.type = 'text/plain';
      ctx.body = 'Not found';
      ctx.set('Cache-Control', 'no-store');
      return;
    }
    await sendIndex(ctx, portal);
  };
}

/** The file under `root` for a URL path, or undefined (missing, a folder, or outside `root`). */
async function findFile(root: string, urlPath: string): Promise<{ path: string; size: number } | undefined> {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (!relative || relative.includes('\0')) {
    return undefined;
  }
  const resolvedRoot = path.resolve(root);
  const candidate = path.resolve(resolvedRoot, relative);
  if (!candidate.startsWith(resolvedRoot + path.sep)) {
    return undefined;
  }
  try {
    const info = await stat(candidate);
    return info.isFile() ? { path: candidate, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

function sendFile(ctx: Context, file: string, size: number, cacheControl: string): void {
  ctx.status = 200;
  ctx.type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  ctx.set('Cache-Control', cacheControl);
  if (ctx.method !== 'HEAD') {
    // Koa answers HEAD with the headers only; no stream is opened for it.
    ctx.body = createReadStream(file);
  }
  ctx.length = size;
}

/** index.html with its `<base href>` set to where the portal is mounted, so deep links load. */
async function sendIndex(ctx: Context, portal: PortalConfig): Promise<void> {
  const html = await readFile(path.join(portal.distDir, 'index.html'), 'utf8');
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('Cache-Control', 'no-cache');
  ctx.body = html.replace(/<base href="[^"]*"\s*\/?>/, `<base href="${portal.mountPath}/" />`);
}

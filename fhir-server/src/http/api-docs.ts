import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Context, Next } from 'koa';
import type { OAuthUris } from '../auth/smart-configuration';
import { capabilityStatement } from '../fhir/capability-statement';
import { openApiDocument } from '../fhir/openapi';
import type { FhirRepository } from '../storage/fhir-repository';

export interface ApiDocsOptions {
  readonly repo: FhirRepository;
  readonly baseUrl: string;
  readonly oauth?: OAuthUris;
}

/** swagger-ui-dist's files the console page loads. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const INDEX = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>MedBuddy FHIR API</title>
<link rel="stylesheet" href="/api/swagger-ui.css">
<link rel="icon" type="image/png" href="/api/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/swagger-ui-bundle.js"></script>
<script src="/api/swagger-ui-standalone-preset.js"></script>
<script src="/api/console.js"></script>
</body>
</html>
`;

/** Starts Swagger UI on the generated document; "Authorize" takes a bearer token, kept for the page's life only. */
const CONSOLE_JS = `window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
  persistAuthorization: false,
  docExpansion: 'none',
  filter: true,
  defaultModelsExpandDepth: -1,
});
`;

/** Scripts and styles from this server only; Swagger UI sets inline styles and data: images. */
const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/**
 * The API documentation promised at `/api`: `/api/openapi.json` (OpenAPI 3, generated from the
 * CapabilityStatement and the operation registry) and a request console (swagger-ui-dist,
 * served from node_modules) where a user authorises with a token and tries requests.
 */
export function apiDocs(options: ApiDocsOptions) {
  const distDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.path !== '/api' && !ctx.path.startsWith('/api/')) {
      return next();
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
      return next();
    }
    const name = ctx.path === '/api' ? '' : ctx.path.slice('/api/'.length);
    if (name === 'openapi.json') {
      await options.repo.syncSearchParameters();
      const statement = capabilityStatement(options.baseUrl, options.oauth, options.repo.searchParameters);
      ctx.type = 'application/json; charset=utf-8';
      ctx.body = JSON.stringify(openApiDocument(statement, options.baseUrl));
      return;
    }
    ctx.set('Content-Security-Policy', CONSOLE_CSP);
    if (name === '' || name === 'index.html') {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = INDEX;
    } else if (name === 'console.js') {
      ctx.type = 'text/javascript; charset=utf-8';
      ctx.body = CONSOLE_JS;
    } else if (ASSETS[name]) {
      ctx.set('Cache-Control', 'public, max-age=86400');
      ctx.type = ASSETS[name];
      ctx.body = createReadStream(path.join(distDir, name));
    } else {
      return next();
    }
  };
}

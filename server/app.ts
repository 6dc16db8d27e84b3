// The Express application, built apart from the process entry so tests can run it on port 0.
import fs from 'node:fs';
import path from 'node:path';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { databaseDownReason, databaseUnavailable, isDatabaseConnectionError, pingDatabase } from './db/availability.ts';
import { describeDatabase } from './db/connection.ts';
import type { DatabaseEngine } from './db/provision.ts';
import { PRECOMPRESS_MIN_BYTES } from '../client/build/precompress.ts';
import { clientFiles } from './lib/client-files.ts';
import { AppError } from './lib/errors.ts';
import { noStore, requireDatabase } from './lib/http-guards.ts';
import { noteForegroundRequest } from './lib/foreground.ts';
import { rememberReads } from './db/sole-writer-cache.ts';
import { declareRoute } from './lib/route.ts';
import { apiDocsRoutes } from './modules/api-docs/routes.ts';
import { apiTokenAuth } from './modules/api-tokens/bearer.ts';
import { apiTokenRoutes } from './modules/api-tokens/routes.ts';
import { assessmentRoutes } from './modules/assessments/routes.ts';
import { auditRoutes } from './modules/audit/routes.ts';
import { loadActor, requireCsrf } from './modules/auth/middleware.ts';
import type { LoginLimits } from './modules/auth/login-limit.ts';
import { authRoutes } from './modules/auth/routes.ts';
import { childRoutes } from './modules/children/routes.ts';
import { deliveryRoutes } from './modules/delivery/routes.ts';
import { setDoseLogger } from './modules/dose/service.ts';
import { exportRoutes } from './modules/exports/routes.ts';
import { groupRoutes } from './modules/groups/routes.ts';
import { instrumentRoutes } from './modules/instruments/routes.ts';
import { programmeRoutes } from './modules/programmes/routes.ts';
import { resultsRoutes } from './modules/results/routes.ts';
import { scheduleRoutes } from './modules/schedule/routes.ts';
import { schoolRoutes } from './modules/schools/routes.ts';
import { sessionRoutes } from './modules/sessions/routes.ts';
import { userRoutes } from './modules/users/routes.ts';
import { waveRoutes } from './modules/waves/routes.ts';
import { worklistRoutes } from './modules/worklist/routes.ts';

export interface AppOptions {
  sessionSecret: string;
  engine: DatabaseEngine;
  logger: Logger;
  /** Built client (dist/client); served with an SPA fallback when present. */
  clientDir?: string;
  /** Serve the client's source maps (SOURCE_MAPS=true); otherwise *.map is a 404. */
  sourceMaps?: boolean;
  trustProxy?: boolean;
  loginLimits?: Partial<LoginLimits>;
  /** Requests per API token per minute (default API_TOKEN_REQUESTS_PER_MINUTE). */
  apiTokenLimit?: number;
}

/** Largest JSON body accepted: a 30-child register is a few kB; 200 kB leaves room for imports. */
export const JSON_BODY_LIMIT = '200kb';

export function createApp(options: AppOptions) {
  const app = express();
  // Dose summaries are recomputed in the background after saves; failures go to the app's log.
  setDoseLogger(options.logger);
  // Only the embedded FerretDB has this process as its only writer (its data-directory lock); with
  // MONGODB_URI another process may write, so nothing is remembered (db/sole-writer-cache.ts).
  rememberReads(options.engine === 'ferretdb');
  app.disable('x-powered-by');
  if (options.trustProxy) app.set('trust proxy', 1);

  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Chart.js and Vite's CSS need inline styles; scripts stay same-origin only.
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:', 'blob:'],
        },
      },
    }),
  );
  app.use(
    pinoHttp({
      logger: options.logger,
      // No query strings, bodies, cookies or headers: they may carry personal data.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customProps: (_req, res) => ({ userId: (res as Response).locals?.actor?.id }),
      autoLogging: { ignore: (req) => !(req.url ?? '').startsWith('/api') },
      // One line per request at `info` (hidden by the default level, warn); a server error at
      // `error`, so it stays visible.
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );

  app.use('/api', (_req, _res, next) => {
    noteForegroundRequest(); // background jobs step aside while requests come in (lib/foreground.ts)
    next();
  });
  app.use('/api', noStore);
  // API JSON above 1 kB goes out brotli- or gzip-compressed (whichever the client prefers, brotli
  // on a tie). Exports (CSV, R, SPSS, xlsx) bypass the middleware and stream as they are:
  // compressing them would cost the export rate on a 2-core server, and their audit entry is
  // written as the stream ends. Client files are precompressed at build time (clientFiles); ones
  // without a fresh copy are compressed here, on the fly.
  const compress = compression({
    threshold: PRECOMPRESS_MIN_BYTES,
    filter: (req, res) =>
      req.path.startsWith('/api/')
        ? /^application\/(?:[\w.+-]+\+)?json\b/.test(String(res.getHeader('Content-Type') ?? ''))
        : compression.filter(req, res),
  });
  app.use((req, res, next) => (req.path.startsWith('/api/v1/exports/') ? next() : compress(req, res, next)));

  app.get('/api/health', async (_req, res) => {
    // 503 while the database is gone, so a load balancer or supervisor sees it (issue 10).
    if (databaseDownReason() !== null || !(await pingDatabase())) {
      const { code, message } = databaseUnavailable();
      res.status(503).json({ status: 'unavailable', error: { code, message } });
      return;
    }
    res.json({ status: 'ok', database: describeDatabase(options.engine) });
  });
  declareRoute(app, '/api/health', { method: 'get', path: '/api/health', summary: 'Is the app up, and which database engine serves it', access: 'public' });
  app.use('/api', requireDatabase);

  app.use('/api', requireCsrf(options.sessionSecret));
  app.use('/api', express.json({ limit: JSON_BODY_LIMIT, strict: true }));
  app.use('/api', loadActor());
  // A script's `Authorization: Bearer` token replaces the cookie session (see api-tokens/bearer.ts).
  app.use('/api', apiTokenAuth({ requestsPerMinute: options.apiTokenLimit }));

  app.use('/api/v1/auth', authRoutes({ sessionSecret: options.sessionSecret, ...(options.loginLimits ? { loginLimits: options.loginLimits } : {}) }));
  app.use('/api/v1/schools', schoolRoutes());
  app.use('/api/v1/users', userRoutes());
  app.use('/api/v1/audit', auditRoutes());
  app.use('/api/v1/children', childRoutes());
  app.use('/api/v1/groups', groupRoutes());
  app.use('/api/v1/instruments', instrumentRoutes());
  app.use('/api/v1/assessments', assessmentRoutes());
  app.use('/api/v1/programme-waves', waveRoutes());
  app.use('/api/v1/worklist', worklistRoutes());
  app.use('/api/v1/sessions', sessionRoutes());
  app.use('/api/v1/delivery', deliveryRoutes());
  app.use('/api/v1/programmes', programmeRoutes());
  app.use('/api/v1/schedule', scheduleRoutes());
  app.use('/api/v1/results', resultsRoutes());
  app.use('/api/v1/exports', exportRoutes());
  app.use('/api/v1/api-tokens', apiTokenRoutes());
  app.use('/api', apiDocsRoutes());

  app.use('/api', (req, _res, next) => {
    next(new AppError(404, 'not_found', `No API endpoint ${req.method} ${req.originalUrl.split("?")[0]}.`));
  });

  if (options.clientDir && fs.existsSync(path.join(options.clientDir, 'index.html'))) {
    app.use(clientFiles({ dir: options.clientDir, sourceMaps: options.sourceMaps ?? false }));
  }

  app.use(errorHandler(options.logger));
  return app;
}

interface BodyParserError {
  type?: string;
  status?: number;
}

function errorHandler(logger: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    let error: AppError;
    const parserError = err as BodyParserError;
    if (err instanceof AppError) {
      error = err;
    } else if (parserError?.type === 'entity.parse.failed') {
      error = new AppError(400, 'malformed_json', 'The request body is not valid JSON.');
    } else if (parserError?.type === 'entity.too.large') {
      error = new AppError(413, 'payload_too_large', `The request body is larger than ${JSON_BODY_LIMIT}.`);
    } else if (parserError?.type === 'encoding.unsupported' || parserError?.type === 'charset.unsupported') {
      error = new AppError(415, 'unsupported_encoding', 'Send the request body as UTF-8 JSON.');
    } else if (typeof parserError?.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      error = new AppError(parserError.status, 'bad_request', 'The request could not be read.');
    } else if (isDatabaseConnectionError(err)) {
      logger.warn({ err }, 'database unreachable');
      error = databaseUnavailable();
    } else {
      logger.error({ err }, 'unhandled error');
      error = new AppError(500, 'internal_error', 'Something went wrong on the server. The error has been logged.');
    }
    if (res.headersSent) return;
    res.status(error.status).json({
      error: { code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) },
    });
  };
}

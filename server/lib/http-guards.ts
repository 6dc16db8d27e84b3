// Small HTTP rules of the API that sit outside any capability: personal data is never cached,
// an unreachable database answers 503 at once, and requests Node refuses before Express sees them
// (oversized headers or URLs) still get the error envelope.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { databaseDownReason, databaseUnavailable } from '../db/availability.ts';

/** API answers carry children's personal data: no browser, proxy or service-worker cache keeps them. */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.set('Cache-Control', 'no-store');
  next();
}

/** While the database is known to be down, fail fast with 503 instead of waiting on the driver. */
export function requireDatabase(_req: Request, res: Response, next: NextFunction): void {
  if (databaseDownReason() === null) return next();
  res.set('Retry-After', '2');
  next(databaseUnavailable());
}

function rawJsonResponse(status: number, reason: string, code: string, message: string): string {
  const body = JSON.stringify({ error: { code, message } });
  return (
    `HTTP/1.1 ${status} ${reason}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    'Cache-Control: no-store\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/**
 * Node answers an unparsable request (headers or URL over its 16 kB limit, broken syntax) itself
 * with a bare status line; this answers in the API's error envelope instead.
 */
export function answerClientErrorsInEnvelope(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const response =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? rawJsonResponse(431, 'Request Header Fields Too Large', 'request_too_large', 'The request headers or the address (URL and query string) are too long. Shorten the query or sign in again to reset cookies.')
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? rawJsonResponse(408, 'Request Timeout', 'request_timeout', 'The request took too long to arrive.')
          : rawJsonResponse(400, 'Bad Request', 'bad_request', 'The request could not be read.');
    socket.end(response);
  });
}

import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { outcome } from '../fhir/outcomes';

/**
 * Requests Node's HTTP parser refuses before Koa sees them get an OperationOutcome too, not
 * Node's bare status line: request line and headers over Node's 16 kB limit (a search with a
 * long `_id=` list, say) are 431, anything else that is not HTTP is 400. Otherwise as Node's own
 * handler: an answer only on a connection that has written nothing yet, and a plain 408 when a
 * connection sent no complete request in time (browsers retry a request on a reused connection
 * that answers 408, not one that answers 400).
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
      socket.destroy();
      return;
    }
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify(
      tooLarge
        ? outcome(
            'error',
            'too-long',
            'The request line and headers exceed 16 kB; send a long search as POST [type]/_search with a form-encoded body',
          )
        : outcome('error', 'structure', 'The request is not valid HTTP/1.1'),
    );
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/fhir+json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

import type { IncomingMessage } from 'node:http';
import type { Context } from 'koa';
import multer from 'multer';
import { DocumentRejectedError } from '../domain/documents/document-rejected-error';
import { badRequest } from '../fhir/outcomes';

/** What the one file part of a form was stored as, by `storeFile`. */
export interface MultipartResult<T> {
  readonly file: T;
  readonly fileName: string;
  readonly fields: Record<string, unknown>;
}

export interface MultipartHandlers<T> {
  /** Stores the file part's stream (the fields sent before it are given); rejects to refuse it. */
  storeFile(
    stream: NodeJS.ReadableStream,
    part: { fileName: string; contentType: string },
    fieldsBefore: Record<string, unknown>,
  ): Promise<T>;
  /** Undoes storeFile when the rest of the form fails. */
  discardFile(file: T): Promise<void>;
}

/**
 * Reads a multipart/form-data body with multer, streaming its one `file` part to
 * `storeFile` (never buffered). Names of files are checked here: a path, `..` or control
 * characters in one are refused, since a name only ever becomes a title.
 */
export async function readMultipart<T>(ctx: Context, handlers: MultipartHandlers<T>): Promise<MultipartResult<T>> {
  // preservePath: the name as sent, so that a path in it is refused rather than silently cut off.
  // multer copies what _handleFile reports into req.file.
  type StoredFile = Express.Multer.File & { stored?: T };
  const storage: multer.StorageEngine = {
    _handleFile(req, file, callback) {
      const fileName = file.originalname;
      if (!isPlainFileName(fileName)) {
        callback(new DocumentRejectedError('file-name', `The file name "${fileName.slice(0, 100)}" contains a path or control characters`));
        return;
      }
      const fieldsBefore = { ...((req as IncomingMessage & { body?: Record<string, unknown> }).body ?? {}) };
      handlers.storeFile(file.stream, { fileName, contentType: file.mimetype }, fieldsBefore).then(
        (result) => callback(null, { stored: result } as Partial<StoredFile>),
        (error: Error) => callback(error),
      );
    },
    _removeFile(_req, file, callback) {
      const result = (file as StoredFile).stored;
      (result === undefined ? Promise.resolve() : handlers.discardFile(result)).then(() => callback(null), callback);
    },
  };
  const upload = multer({ storage, preservePath: true, limits: { files: 1, fields: 20, fieldSize: 4096, parts: 21 } }).single('file');
  type UploadArgs = Parameters<typeof upload>;
  try {
    await new Promise<void>((resolve, reject) =>
      // multer is typed for Express; it only uses the Node request and response underneath.
      upload(ctx.req as unknown as UploadArgs[0], ctx.res as unknown as UploadArgs[1], (error?: unknown) =>
        error ? reject(error) : resolve(),
      ),
    );
  } catch (error) {
    if (error instanceof multer.MulterError) {
      throw badRequest(`The form is not acceptable: ${error.message}${error.field ? ` (${error.field})` : ''}`);
    }
    if (error instanceof Error && MALFORMED_FORM.test(error.message)) {
      throw badRequest(`The form is not valid multipart/form-data: ${error.message}`);
    }
    throw error;
  }
  const req = ctx.req as IncomingMessage & { file?: StoredFile; body?: Record<string, unknown> };
  const file = req.file?.stored;
  if (!req.file || file === undefined) {
    throw badRequest('The form has no file part named "file"');
  }
  return { file, fileName: req.file.originalname, fields: { ...(req.body ?? {}) } };
}

/** The errors busboy (multer's parser) raises for a broken body. */
const MALFORMED_FORM =
  /^(Malformed (part header|content type)|Unexpected end of (form|file)|Multipart: Boundary not found|Missing Content-Type|Unsupported content type)/;

function isPlainFileName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length > 0 && name.length <= 255 && !/[/\\\u0000-\u001f\u007f]/.test(name) && name !== '.' && !name.includes('..');
}

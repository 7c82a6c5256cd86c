import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import { ProblemError, badRequest } from './problem.ts';

/** Uploads are at most 5 MB (one file); formidable stops reading past that and the answer is 413. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

// formidable's error codes (formidable/src/FormidableError.js)
const MAX_FIELDS_SIZE = 1006;
const MAX_FIELDS = 1007;
const TOTAL_TOO_BIG = 1009;
const MAX_FILES = 1015;
const FILE_TOO_BIG = 1016;

/** formidable's failures, in the words and statuses the spec documents. */
function uploadProblem(err: { code?: unknown; httpCode?: number }): ProblemError {
  switch (err.code) {
    case FILE_TOO_BIG:
    case TOTAL_TOO_BIG:
      return new ProblemError(413, 'The upload is larger than the 5 MB allowed.', { errors: [{ pointer: '/file', message: 'must be at most 5 MB' }] });
    case MAX_FILES:
      return badRequest('Send one file per request.', [{ pointer: '/file', message: 'must be a single file' }]);
    case MAX_FIELDS:
    case MAX_FIELDS_SIZE:
      return badRequest('The form has too many or too large fields; send only the file.');
    default:
      return badRequest('The multipart body is malformed.');
  }
}

/**
 * Parses a multipart body into a folder of this request's own, then runs `work`; the folder goes
 * whatever happens (validation failures, handler errors, aborted uploads), so no file outlives
 * its request.
 */
export async function withMultipart(ctx: Context, tmpRoot: string, work: () => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpRoot, 'pasar-upload-'));
  try {
    const parser = koaBody({
      multipart: true,
      json: false,
      urlencoded: false,
      text: false,
      formidable: { uploadDir: dir, maxFileSize: MAX_UPLOAD_BYTES, maxTotalFileSize: MAX_UPLOAD_BYTES, maxFiles: 1, maxFields: 10, allowEmptyFiles: true, minFileSize: 0 },
    });
    try {
      await parser(ctx, async () => {});
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      const e = err as { code?: unknown; httpCode?: number };
      if (typeof e.code === 'number' || e.httpCode) throw uploadProblem(e);
      throw err;
    }
    await work();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The bytes of an uploaded field, or undefined when absent. */
export async function takeUpload(ctx: Context, field: string): Promise<Buffer | undefined> {
  const files = ctx.request.files?.[field];
  const file = Array.isArray(files) ? files[0] : files;
  return file ? readFile(file.filepath) : undefined;
}

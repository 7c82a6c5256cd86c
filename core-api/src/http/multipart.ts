import { readFile, rm } from 'node:fs/promises';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';

/** Uploads are at most 5 MB (one file); formidable stops reading past that and the answer is 413. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

const parser = koaBody({
  multipart: true,
  json: false,
  urlencoded: false,
  text: false,
  formidable: { maxFileSize: MAX_UPLOAD_BYTES, maxTotalFileSize: MAX_UPLOAD_BYTES, maxFiles: 1, maxFields: 10, allowEmptyFiles: true, minFileSize: 0 },
});

export async function parseMultipart(ctx: Context): Promise<void> {
  await parser(ctx, async () => {});
}

/** The bytes of an uploaded field (its temporary file is removed), or undefined when absent. */
export async function takeUpload(ctx: Context, field: string): Promise<Buffer | undefined> {
  const files = ctx.request.files?.[field];
  const file = Array.isArray(files) ? files[0] : files;
  if (!file) return undefined;
  try {
    return await readFile(file.filepath);
  } finally {
    await rm(file.filepath, { force: true });
  }
}

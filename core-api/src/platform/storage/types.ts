export interface StoredObject {
  body: Buffer;
  contentType: string;
  etag?: string;
}

/** Object storage as the domain needs it; implemented over the S3 API (MinIO, or the embedded server). */
export interface ObjectStorage {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<StoredObject | null>;
  delete(key: string): Promise<void>;
  /** Throws when the store cannot be reached or the bucket is missing. */
  check(): Promise<void>;
}

/** Where stored media is read from: the bucket's public URL (a CDN, MinIO) when set, else the API's /media route. */
export interface MediaUrls {
  publicUrl: string;
  s3PublicUrl?: string;
}

/** Object keys are `media/<sha256>.<ext>`, which is also their path under the API. */
export function mediaUrl(urls: MediaUrls, key: string): string {
  return urls.s3PublicUrl ? `${urls.s3PublicUrl}/${key}` : `${urls.publicUrl}/${key}`;
}

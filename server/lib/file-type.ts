import type { FileTypeResult } from 'file-type';

/** The type of an uploaded file from its bytes (magic numbers). file-type (~3 MB of RSS) is loaded at the first upload, not at start. */
export async function detectFileType(bytes: Uint8Array): Promise<FileTypeResult | undefined> {
  return (await import('file-type')).fileTypeFromBuffer(bytes);
}

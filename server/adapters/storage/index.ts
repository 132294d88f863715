import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where document bytes live. The default keeps them as files under DATA_DIR/documents; the
 * documents module encrypts them before they get here, so the store never sees clear bytes.
 * An object store (S3, OSS) is the production adapter for several instances.
 */
export interface BlobStore {
  put(key: string, bytes: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
}

export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}
  private file(key: string): string {
    if (!/^[\w-]+$/.test(key)) throw new Error(`bad blob key ${key}`);
    return path.join(this.root, key.slice(0, 2), key);
  }
  async put(key: string, bytes: Buffer): Promise<void> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, bytes, { mode: 0o600 });
  }
  async get(key: string): Promise<Buffer> {
    return readFile(this.file(key));
  }
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where document bytes live. The default keeps them as files under DATA_DIR/documents; the
 * documents module encrypts them before they get here, so the store never sees clear bytes.
 * An object store (S3, OSS) is the production adapter for several instances.
 */
export interface BlobStore {
  put(key: string, bytes: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Removes the blob; a key that is already gone is no error. */
  delete(key: string): Promise<void>;
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
  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }
}

/**
 * Encrypts each blob before it reaches the store (AES-256-GCM with a key per blob, that key
 * wrapped by the PII cipher so PII_KEY rotation applies) and decrypts on the way back.
 */
export class SealedBlobStore {
  constructor(
    private readonly store: BlobStore,
    private readonly wrapKey: { encrypt(s: string): string; decrypt(s: string): string },
  ) {}

  async put(key: string, bytes: Buffer): Promise<void> {
    const fileKey = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', fileKey, iv);
    const sealed = Buffer.concat([cipher.update(bytes), cipher.final()]);
    const header = Buffer.from(JSON.stringify({ k: this.wrapKey.encrypt(fileKey.toString('base64')), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') }));
    const lengthPrefix = Buffer.alloc(4);
    lengthPrefix.writeUInt32BE(header.length);
    await this.store.put(key, Buffer.concat([lengthPrefix, header, sealed]));
  }

  async get(key: string): Promise<Buffer> {
    const blob = await this.store.get(key);
    const headerLength = blob.readUInt32BE(0);
    const header = JSON.parse(blob.subarray(4, 4 + headerLength).toString()) as { k: string; iv: string; tag: string };
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(this.wrapKey.decrypt(header.k), 'base64'), Buffer.from(header.iv, 'base64'));
    decipher.setAuthTag(Buffer.from(header.tag, 'base64'));
    return Buffer.concat([decipher.update(blob.subarray(4 + headerLength)), decipher.final()]);
  }

  delete(key: string): Promise<void> {
    return this.store.delete(key);
  }
}

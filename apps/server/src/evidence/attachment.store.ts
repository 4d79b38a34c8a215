import { createReadStream, type ReadStream } from 'node:fs';
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/config.tokens.js';

/** Attachment bytes on disk, addressed by their sha256: DATA_DIR/attachments/ab/abcdef…. */
@Injectable()
export class AttachmentStore {
  private readonly root: string;

  constructor(@Inject(RUNTIME_CONFIG) config: RuntimeConfig) {
    this.root = path.resolve(config.dataDir, 'attachments');
  }

  private pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  /** Writes once (the same content is the same file); a temporary file and rename keep it whole. */
  async put(sha256: string, bytes: Uint8Array): Promise<void> {
    const target = this.pathOf(sha256);
    try {
      await access(target);
      return;
    } catch {
      // not stored yet
    }
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${randomUUID()}.tmp`;
    await writeFile(temporary, bytes, { flag: 'wx' });
    await rename(temporary, target);
  }

  open(sha256: string): ReadStream {
    return createReadStream(this.pathOf(sha256));
  }
}

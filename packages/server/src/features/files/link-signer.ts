import { createHmac, timingSafeEqual } from 'node:crypto';

export type FileVariant = 'original' | 'thumbnail';

/**
 * Signs and checks file links: an HMAC-SHA-256, with a secret every node shares, over the file, the variant and
 * the expiry. The link names no user: whoever holds it may fetch that one file until it expires.
 */
export class LinkSigner {
  constructor(private readonly secret: Buffer) {}

  sign(fileId: string, variant: FileVariant, expiresAt: number): string {
    return createHmac('sha256', this.secret).update(`${fileId}\n${variant}\n${expiresAt}`).digest('base64url');
  }

  /** Whether the signature is this server's for these values and `now` is before the expiry. */
  verify(fileId: string, variant: FileVariant, expiresAt: number, signature: string, now: number): boolean {
    if (!Number.isSafeInteger(expiresAt) || now >= expiresAt) return false;
    const expected = Buffer.from(this.sign(fileId, variant, expiresAt));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

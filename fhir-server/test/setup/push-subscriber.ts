import { createDecipheriv, createECDH, hkdfSync, randomBytes, type ECDH } from 'node:crypto';

/**
 * A browser's side of Web Push (RFC 8291): its P-256 key pair and auth secret, as a
 * PushSubscription gives them to the server, and the decryption of an aes128gcm message
 * (RFC 8188), written from the RFCs so the test does not trust the library it checks.
 */
export class PushSubscriber {
  private readonly ecdh: ECDH = createECDH('prime256v1');
  private readonly authSecret = randomBytes(16);

  constructor() {
    this.ecdh.generateKeys();
  }

  get keys(): { p256dh: string; auth: string } {
    return { p256dh: this.ecdh.getPublicKey().toString('base64url'), auth: this.authSecret.toString('base64url') };
  }

  decrypt(message: Buffer): string {
    const salt = message.subarray(0, 16);
    const idLength = message.readUInt8(20);
    const serverPublicKey = message.subarray(21, 21 + idLength);
    const record = message.subarray(21 + idLength);
    const sharedSecret = this.ecdh.computeSecret(serverPublicKey);
    const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), this.ecdh.getPublicKey(), serverPublicKey]);
    const ikm = Buffer.from(hkdfSync('sha256', sharedSecret, this.authSecret, keyInfo, 32));
    const key = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
    const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
    const decipher = createDecipheriv('aes-128-gcm', key, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    // The last record ends with the delimiter 0x02, then zero padding.
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) {
      end--;
    }
    if (padded[end] !== 2) {
      throw new Error('not the last record of an aes128gcm message');
    }
    return padded.subarray(0, end).toString('utf8');
  }
}

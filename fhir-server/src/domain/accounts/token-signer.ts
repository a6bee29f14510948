import { hkdfSync, randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  importPKCS8,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { ACCESS_TOKEN_SECONDS, type AccessTokenClaims } from '../../auth/token-claims';
import type { AccountStore } from '../../storage/account-store';

export const SIGNING_ALG = 'ES256';

export interface TokenSignerOptions {
  /** Issuer (the server's public URL) and audience (its FHIR base URL). */
  readonly issuer: string;
  readonly audience: string;
  /** PKCS#8 PEM of an EC P-256 key from configuration; without it, a key kept in the database. */
  readonly privateKeyPem?: string;
}

export type AccessTokenSubject = Omit<AccessTokenClaims, 'iss' | 'aud' | 'exp' | 'iat' | 'jti'>;

/**
 * Signs access and ID tokens with one ES256 key. The embedded default generates the key once
 * and keeps it in the database, so every instance on that database signs and verifies alike;
 * production takes it from configuration.
 */
export class TokenSigner {
  private constructor(
    private readonly options: TokenSignerOptions,
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly kid: string,
    readonly publicJwk: JWK,
    /** SPKI PEM of the public key, for koa-jwt. */
    readonly publicKeyPem: string,
    private readonly secretSeed: Buffer,
  ) {}

  /**
   * A 32-byte key for another purpose (HMAC of signed URLs), derived from the signing key
   * with HKDF: every instance that shares the signing key derives the same one.
   */
  deriveSecret(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.secretSeed, Buffer.alloc(0), `medbuddy:${purpose}`, 32));
  }

  static async create(options: TokenSignerOptions, store: AccountStore): Promise<TokenSigner> {
    let privateJwk: JWK;
    if (options.privateKeyPem) {
      privateJwk = await exportJWK(await importPKCS8(options.privateKeyPem, SIGNING_ALG, { extractable: true }));
    } else {
      const stored = await store.readSigningKey();
      if (stored) {
        privateJwk = JSON.parse(stored) as JWK;
      } else {
        const pair = await generateKeyPair(SIGNING_ALG, { extractable: true });
        const generated = await exportJWK(pair.privateKey);
        privateJwk = JSON.parse(await store.saveSigningKey(await calculateJwkThumbprint(generated), JSON.stringify(generated))) as JWK;
      }
    }
    const { d: _d, ...publicFields } = privateJwk;
    const kid = await calculateJwkThumbprint(publicFields);
    const publicJwk: JWK = { ...publicFields, kid, alg: SIGNING_ALG, use: 'sig' };
    const privateKey = (await importJWK(privateJwk, SIGNING_ALG)) as CryptoKey;
    const publicKey = (await importJWK(publicFields, SIGNING_ALG, { extractable: true })) as CryptoKey;
    const seed = Buffer.from(privateJwk.d as string, 'base64url');
    return new TokenSigner(options, privateKey, publicKey, kid, publicJwk, await exportSPKI(publicKey), seed);
  }

  get issuer(): string {
    return this.options.issuer;
  }

  get audience(): string {
    return this.options.audience;
  }

  async issueAccessToken(
    subject: AccessTokenSubject,
    seconds = ACCESS_TOKEN_SECONDS,
  ): Promise<{ token: string; claims: AccessTokenClaims }> {
    const now = Math.floor(Date.now() / 1000);
    const claims: AccessTokenClaims = {
      ...subject,
      iss: this.options.issuer,
      aud: this.options.audience,
      iat: now,
      exp: now + seconds,
      jti: randomUUID(),
    };
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: SIGNING_ALG, kid: this.kid, typ: 'at+jwt' })
      .sign(this.privateKey);
    return { token, claims };
  }

  /** An OpenID Connect ID token for the client (aud = client id), with the SMART fhirUser claim. */
  async issueIdToken(accountId: string, clientId: string, fhirUser: string | undefined): Promise<string> {
    return new SignJWT(fhirUser ? { fhirUser } : {})
      .setProtectedHeader({ alg: SIGNING_ALG, kid: this.kid })
      .setIssuer(this.options.issuer)
      .setSubject(accountId)
      .setAudience(clientId)
      .setIssuedAt()
      .setExpirationTime(`${ACCESS_TOKEN_SECONDS}s`)
      .sign(this.privateKey);
  }

  /** Verifies one of our access tokens (for introspection); undefined if invalid or expired. */
  async verifyAccessToken(token: string): Promise<AccessTokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: [SIGNING_ALG],
      });
      return payload as JWTPayload & AccessTokenClaims;
    } catch {
      return undefined;
    }
  }
}

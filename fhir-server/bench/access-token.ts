import { execFile } from 'node:child_process';
import { SERVER_ROOT } from './server-process';

const REFRESH_AFTER_MS = 10 * 60_000; // tokens live 15 minutes

/**
 * A `system/*.*` bearer token for the load, minted the documented way (`npm run cli -- token`,
 * i.e. `node dist/cli.js token`) against the benchmark database, whose signing key the server
 * uses; re-minted before it expires.
 */
export class AccessToken {
  private token?: string;
  private mintedAt = 0;

  /** @param publicUrl the server's PUBLIC_URL: the token's issuer and audience derive from it. */
  constructor(
    private readonly databaseUrl: string,
    private readonly publicUrl: string,
  ) {}

  async current(): Promise<string> {
    if (!this.token || Date.now() - this.mintedAt > REFRESH_AFTER_MS) {
      this.token = await mint(this.databaseUrl, this.publicUrl);
      this.mintedAt = Date.now();
    }
    return this.token;
  }
}

function mint(databaseUrl: string, publicUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['dist/cli.js', 'token', '--scope', 'system/*.*'],
      { cwd: SERVER_ROOT, env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl, PUBLIC_URL: publicUrl }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const token = stdout.trim().split('\n').pop();
        if (error || !token) {
          reject(new Error(`Could not mint an access token: ${String(error ?? '')} ${stderr}`));
        } else {
          resolve(token);
        }
      },
    );
  });
}

/** The OAuth2 endpoints of the server, absolute URLs. */
export interface OAuthUris {
  readonly issuer: string;
  readonly authorize: string;
  readonly token: string;
  readonly revoke: string;
  readonly introspect: string;
  readonly jwks: string;
}

export function oauthUris(publicUrl: string): OAuthUris {
  return {
    issuer: publicUrl,
    authorize: `${publicUrl}/oauth2/authorize`,
    token: `${publicUrl}/oauth2/token`,
    revoke: `${publicUrl}/oauth2/revoke`,
    introspect: `${publicUrl}/oauth2/introspect`,
    jwks: `${publicUrl}/oauth2/jwks`,
  };
}

/**
 * `GET [base]/.well-known/smart-configuration`
 * (https://hl7.org/fhir/smart-app-launch/conformance.html#metadata).
 */
export function smartConfiguration(uris: OAuthUris): Record<string, unknown> {
  return {
    issuer: uris.issuer,
    jwks_uri: uris.jwks,
    authorization_endpoint: uris.authorize,
    token_endpoint: uris.token,
    revocation_endpoint: uris.revoke,
    introspection_endpoint: uris.introspect,
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384', 'RS256', 'ES256'],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: [
      'openid',
      'fhirUser',
      'profile',
      'launch/patient',
      'offline_access',
      'online_access',
      'patient/*.cruds',
      'patient/*.rs',
      'patient/*.read',
      'user/*.cruds',
      'user/*.rs',
      'user/*.read',
      'system/*.cruds',
      'system/*.rs',
      'system/*.read',
    ],
    capabilities: [
      'launch-standalone',
      'client-public',
      'client-confidential-asymmetric',
      'context-standalone-patient',
      'sso-openid-connect',
      'permission-offline',
      'permission-online',
      'permission-patient',
      'permission-user',
      'permission-v1',
      'permission-v2',
    ],
  };
}

/** Where this build finds the FHIR server (production: the server that serves the portal). */
export const environment = {
  /** Base URL of FHIR requests, resolved against the page's origin. */
  fhirBaseUrl: '/fhir',
  /**
   * The SMART `aud`: the server's canonical FHIR base URL. Undefined: `fhirBaseUrl` made
   * absolute, which is right whenever the portal and the server share an origin.
   */
  fhirAudience: undefined as string | undefined,
};

/**
 * `ng serve`: the dev server proxies /fhir, /oauth2 and /auth to the FHIR server on port 3000
 * (proxy.conf.json), whose canonical FHIR base URL is the audience of the SMART launch.
 */
export const environment = {
  fhirBaseUrl: '/fhir',
  fhirAudience: 'http://localhost:3000/fhir' as string | undefined,
};

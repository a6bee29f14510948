import { resolveFhirEndpoint } from './fhir-endpoint';

describe('resolveFhirEndpoint', () => {
  it('resolves a relative base against the page origin; the audience defaults to it', () => {
    expect(resolveFhirEndpoint({ fhirBaseUrl: '/fhir' }, 'http://localhost:3000/patient/home')).toEqual({
      baseUrl: 'http://localhost:3000/fhir',
      audience: 'http://localhost:3000/fhir',
    });
  });

  it('keeps a separate audience (ng serve proxies to the server on another port)', () => {
    expect(
      resolveFhirEndpoint({ fhirBaseUrl: '/fhir/', fhirAudience: 'http://localhost:3000/fhir/' }, 'http://localhost:4200/patient/'),
    ).toEqual({ baseUrl: 'http://localhost:4200/fhir', audience: 'http://localhost:3000/fhir' });
  });
});

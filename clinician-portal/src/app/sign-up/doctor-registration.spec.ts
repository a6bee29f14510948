import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { DoctorRegistrationApi } from './doctor-registration';

const BASE = 'http://medbuddy.test/fhir';

describe('DoctorRegistrationApi', () => {
  it('registers with the doctor role at /auth/register', async () => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } }],
    });
    const http = TestBed.inject(HttpTestingController);
    const registering = TestBed.inject(DoctorRegistrationApi).register({
      email: 'w@example.org',
      password: 'long enough password',
      givenName: 'James',
      familyName: 'Wilson',
    });
    const request = http.expectOne('http://medbuddy.test/auth/register');
    expect(request.request.body).toEqual({
      email: 'w@example.org',
      password: 'long enough password',
      givenName: 'James',
      familyName: 'Wilson',
      role: 'doctor',
    });
    request.flush({ message: 'sent' }, { status: 202, statusText: 'Accepted' });
    await registering;
  });
});

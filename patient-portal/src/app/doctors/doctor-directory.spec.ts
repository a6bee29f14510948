import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { DoctorDirectory } from './doctor-directory';
import { formatFee, plainParagraphs } from './doctor-summary';
import { WEBER_ROLE } from './doctor-testing';

const BASE = 'http://medbuddy.test/fhir';
describe('DoctorDirectory', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } }],
    });
    return { directory: TestBed.inject(DoctorDirectory), http: TestBed.inject(HttpTestingController) };
  }

  it('searches PractitionerRoles with every filter as a FHIR search parameter, including the Practitioner', async () => {
    const { directory, http } = setUp();
    const found = directory.search({
      text: ' weber ',
      specialty: 'cardiology',
      language: 'de',
      maxFee: 50,
      minExperience: 5,
      minRating: 4,
      sort: 'fee',
    });
    const request = http.expectOne((r) => r.url === `${BASE}/PractitionerRole`);
    const params = request.request.params;
    expect(Object.fromEntries(params.keys().map((key) => [key, params.get(key)]))).toEqual({
      active: 'true',
      specialty: 'cardiology',
      language: 'de',
      fee: 'le50',
      experience: 'ge5',
      rating: 'ge4',
      'practitioner.name': 'weber',
      _include: 'PractitionerRole:practitioner',
      _sort: 'fee',
      _count: '20',
    });
    request.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        { resource: WEBER_ROLE, search: { mode: 'match' } },
        {
          resource: { resourceType: 'Practitioner', id: 'd1', name: [{ prefix: ['Dr.'], given: ['Lukas'], family: 'Weber' }] },
          search: { mode: 'include' },
        },
      ],
    });
    const [doctor] = await found;
    expect(doctor).toMatchObject({
      roleId: 'r1',
      name: 'Dr. Lukas Weber',
      practitionerReference: 'Practitioner/d1',
      specialties: ['Cardiology'],
      fee: { value: 45, currency: 'EUR' },
      rating: 4.7,
      reviewCount: 38,
      yearsOfExperience: 12,
      languages: ['de', 'en'],
      timeZone: 'Europe/Berlin',
    });
    expect(formatFee(doctor.fee)).toMatch(/45/);
    expect(plainParagraphs(doctor.biography)).toEqual(['Cardiologist in Berlin.', 'Second paragraph.']);
  });

  it('leaves out empty filters', async () => {
    const { directory, http } = setUp();
    const found = directory.search({ text: '  ' });
    const request = http.expectOne((r) => r.url === `${BASE}/PractitionerRole`);
    expect(request.request.params.keys().sort()).toEqual(['_count', '_include', '_sort', 'active']);
    request.flush({ resourceType: 'Bundle', type: 'searchset' });
    expect(await found).toEqual([]);
  });

  it('finds free slots by the chained schedule.actor, earliest first, within the window', async () => {
    const { directory, http } = setUp();
    const from = new Date('2026-12-01T00:00:00Z');
    const until = new Date('2026-12-15T00:00:00Z');
    const found = directory.freeSlots('Practitioner/d1', from, until);
    const request = http.expectOne((r) => r.url === `${BASE}/Slot`);
    expect(request.request.params.get('schedule.actor')).toBe('Practitioner/d1');
    expect(request.request.params.get('status')).toBe('free');
    expect(request.request.params.getAll('start')).toEqual(['ge2026-12-01T00:00:00.000Z', 'lt2026-12-15T00:00:00.000Z']);
    expect(request.request.params.get('_sort')).toBe('start');
    request.flush({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Slot', id: 's1' } }] });
    expect((await found).map((slot) => slot.id)).toEqual(['s1']);
  });
});

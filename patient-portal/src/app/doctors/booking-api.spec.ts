import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { BookingApi, SlotTakenError } from './booking-api';
import { doctorSummary } from './doctor-summary';
import { freeSlot, WEBER_ROLE } from './doctor-testing';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('BookingApi', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } }],
    });
    return { api: TestBed.inject(BookingApi), http: TestBed.inject(HttpTestingController) };
  }

  const slot = freeSlot('s1', '2026-12-01T08:00:00Z');
  const request = {
    slot,
    doctor: doctorSummary(WEBER_ROLE),
    patient: 'Patient/p1',
    reason: { system: 'https://medbuddy.dev/fhir/CodeSystem/appointment-reason', code: 'follow-up', display: 'Follow-up' },
    comment: ' Blood pressure ',
  };

  it('checks the slot is still free, then creates the Appointment for it (patient, doctor, role, reason)', async () => {
    const { api, http } = setUp();
    const booked = api.book(request);
    http.expectOne(`${BASE}/Slot/s1`).flush(slot);
    await settle();
    const create = http.expectOne(`${BASE}/Appointment`);
    expect(create.request.method).toBe('POST');
    expect(create.request.body).toMatchObject({
      resourceType: 'Appointment',
      status: 'booked',
      start: slot.start,
      end: slot.end,
      slot: [{ reference: 'Slot/s1' }],
      specialty: WEBER_ROLE.specialty,
      reasonCode: [{ coding: [{ code: 'follow-up' }] }],
      comment: 'Blood pressure',
      participant: [
        { actor: { reference: 'Patient/p1' } },
        { actor: { reference: 'Practitioner/d1' } },
        { actor: { reference: 'PractitionerRole/r1' } },
      ],
    });
    create.flush({ ...create.request.body, id: 'a1' });
    expect((await booked).id).toBe('a1');
    http.verify();
  });

  it('reports a slot that is gone or no longer free as taken, without creating anything', async () => {
    const { api, http } = setUp();
    const gone = api.book(request);
    http.expectOne(`${BASE}/Slot/s1`).flush({ resourceType: 'OperationOutcome', issue: [] }, { status: 404, statusText: 'Not Found' });
    await expect(gone).rejects.toBeInstanceOf(SlotTakenError);
    const busy = api.hold(slot);
    http.expectOne(`${BASE}/Slot/s1`).flush({ ...slot, status: 'busy' });
    await expect(busy).rejects.toBeInstanceOf(SlotTakenError);
    http.verify();
  });

  it('reports a lost race (409 Conflict from the server) as taken, and passes other failures on', async () => {
    const { api, http } = setUp();
    const lost = api.book(request);
    http.expectOne(`${BASE}/Slot/s1`).flush(slot);
    await settle();
    http
      .expectOne(`${BASE}/Appointment`)
      .flush(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict' }] },
        { status: 409, statusText: 'Conflict' },
      );
    await expect(lost).rejects.toThrow('Someone else has just booked this time.');

    const refused = api.book(request);
    http.expectOne(`${BASE}/Slot/s1`).flush(slot);
    await settle();
    http
      .expectOne(`${BASE}/Appointment`)
      .flush(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid' }] },
        { status: 400, statusText: 'Bad Request' },
      );
    await expect(refused).rejects.not.toBeInstanceOf(SlotTakenError);
  });

  it('reschedules: books the new time first, then cancels the replaced appointment as a schedule conflict', async () => {
    const { api, http } = setUp();
    const booked = api.book({ ...request, replaces: 'old' });
    http.expectOne(`${BASE}/Slot/s1`).flush(slot);
    await settle();
    const create = http.expectOne(`${BASE}/Appointment`);
    create.flush({ ...create.request.body, id: 'new' });
    await settle();
    http
      .expectOne(`${BASE}/Appointment/old`)
      .flush({ resourceType: 'Appointment', id: 'old', meta: { versionId: '1' }, status: 'booked', participant: [] });
    await settle();
    const cancel = http.expectOne(`${BASE}/Appointment/old`);
    expect(cancel.request.method).toBe('PUT');
    expect(cancel.request.headers.get('If-Match')).toBe('W/"1"');
    expect(cancel.request.body).toMatchObject({
      status: 'cancelled',
      cancelationReason: { coding: [{ code: 'patient-schedule-conflict' }] },
    });
    cancel.flush(cancel.request.body);
    expect((await booked).id).toBe('new');
    http.verify();
  });
});

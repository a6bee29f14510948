import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { HOLD_RELEASED } from '../appointments/appointment-holds';
import { BookingApi, OverlapError, SlotTakenError } from './booking-api';
import { doctorSummary } from './doctor-summary';
import { freeSlot, WEBER_ROLE } from './doctor-testing';

const BASE = 'http://medbuddy.test/fhir';

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
  const conflict = (diagnostics: string) =>
    [
      { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict', diagnostics }] },
      { status: 409, statusText: 'Conflict' },
    ] as const;

  it('holds with Appointment/$hold, then books with $book: the Appointment names slot, patient, doctor, role, reason', async () => {
    const { api, http } = setUp();
    const held = api.hold({ ...request, reason: undefined, comment: undefined });
    const hold = http.expectOne(`${BASE}/Appointment/$hold`);
    expect(hold.request.method).toBe('POST');
    const [holdParameter] = hold.request.body.parameter;
    expect(holdParameter.name).toBe('appointment');
    expect(holdParameter.resource.slot).toEqual([{ reference: 'Slot/s1' }]);
    expect(holdParameter.resource.participant[0].actor.reference).toBe('Patient/p1');
    hold.flush({ ...holdParameter.resource, id: 'a1', status: 'pending' });
    expect((await held).appointment.id).toBe('a1');

    const booked = api.book(request);
    const book = http.expectOne(`${BASE}/Appointment/$book`);
    expect(book.request.body.parameter[0].resource).toMatchObject({
      resourceType: 'Appointment',
      start: slot.start,
      end: slot.end,
      slot: [{ reference: 'Slot/s1' }],
      specialty: WEBER_ROLE.specialty,
      reasonCode: [{ coding: [{ code: 'follow-up' }] }],
      comment: 'Blood pressure',
      participant: [
        { actor: { reference: 'Patient/p1' } },
        { actor: { reference: 'Practitioner/d1', display: 'Doctor' } },
        { actor: { reference: 'PractitionerRole/r1' } },
      ],
    });
    book.flush({ ...book.request.body.parameter[0].resource, id: 'a1', status: 'booked' });
    expect((await booked).status).toBe('booked');
    http.verify();
  });

  it('reports a slot held or booked by someone else (409) as taken, an overlap of the patient as such, and passes other failures on', async () => {
    const { api, http } = setUp();
    const lost = api.hold(request);
    http.expectOne(`${BASE}/Appointment/$hold`).flush(...conflict('Slot/s1 is not free'));
    await expect(lost).rejects.toBeInstanceOf(SlotTakenError);

    const overlap = api.book(request);
    http.expectOne(`${BASE}/Appointment/$book`).flush(...conflict('Patient/p1 already has an appointment at this time'));
    await expect(overlap).rejects.toBeInstanceOf(OverlapError);

    const refused = api.book(request);
    http
      .expectOne(`${BASE}/Appointment/$book`)
      .flush(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid' }] },
        { status: 400, statusText: 'Bad Request' },
      );
    await expect(refused).rejects.not.toBeInstanceOf(SlotTakenError);
    http.verify();
  });

  it('releases a hold with $cancel, and a failed release is not an error (the hold lapses)', async () => {
    const { api, http } = setUp();
    const hold = { slot, appointment: { resourceType: 'Appointment' as const, id: 'a1', status: 'pending' as const, participant: [] } };
    const released = api.release(hold);
    const cancel = http.expectOne(`${BASE}/Appointment/a1/$cancel`);
    expect(cancel.request.body.parameter).toEqual([
      { name: 'reason', valueString: HOLD_RELEASED },
      { name: 'reasonCode', valueCode: 'patient-request' },
    ]);
    cancel.flush({ resourceType: 'OperationOutcome', issue: [] }, { status: 422, statusText: 'Unprocessable Entity' });
    await expect(released).resolves.toBeUndefined();
  });

  it('reschedules with $reschedule after checking the new slot is still free', async () => {
    const { api, http } = setUp();
    const checked = api.checkFree(slot);
    http.expectOne(`${BASE}/Slot/s1`).flush({ ...slot, status: 'busy' });
    await expect(checked).rejects.toBeInstanceOf(SlotTakenError);

    const moved = api.reschedule('old', slot);
    const operation = http.expectOne(`${BASE}/Appointment/old/$reschedule`);
    expect(operation.request.body).toEqual({ resourceType: 'Parameters', parameter: [{ name: 'slot', valueString: 'Slot/s1' }] });
    operation.flush({ resourceType: 'Appointment', id: 'old', status: 'booked', start: slot.start, participant: [] });
    expect((await moved).start).toBe(slot.start);
    http.verify();
  });
});

import type { Bundle, Parameters, Practitioner, PractitionerRole, Slot } from '@medplum/fhirtypes';
import { doctorWithSchedule, FHIR_JSON, postAs, roleWithRules, slotsOf } from '../setup/scheduling-fixtures';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/** Doctor verification (VerificationResult) and discovery of verified doctors. */
let server: TestServer;
let admin: Actor;

beforeAll(async () => {
  server = await startTestServer({ SLOT_HORIZON_DAYS: '2' });
  admin = await server.actAsAdmin();
});
afterAll(() => server.close());

const EXT = 'https://medbuddy.dev/fhir/StructureDefinition/';
const verify = (agent: Actor['agent'], practitioner: string, status: string, reason = 'Licence checked') =>
  agent
    .post(`/fhir/${practitioner}/$verify`)
    .set('Content-Type', FHIR_JSON)
    .send(
      JSON.stringify({
        resourceType: 'Parameters',
        parameter: [
          { name: 'status', valueCode: status },
          { name: 'reason', valueString: reason },
        ],
      }),
    );
const ids = (text: string) => ((JSON.parse(text) as Bundle).entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);

describe('verification', () => {
  test('a new doctor is hidden until an administrator validates them; the VerificationResult is recorded', async () => {
    const { doctor, role, schedule } = await doctorWithSchedule(server, {}, false);
    const patient = await server.actAsPatient();
    await server.anonymous().get(`/fhir/${doctor.profile}`).expect(404);
    expect(ids((await patient.agent.get(`/fhir/PractitionerRole?_id=${role.id}`).expect(200)).text)).toEqual([]);
    expect((await verify(doctor.agent, doctor.profile as string, 'validated')).status).toBe(403);
    // A patient cannot even see an unverified doctor.
    expect((await verify(patient.agent, doctor.profile as string, 'validated')).status).toBe(404);
    expect((await verify(admin.agent, doctor.profile as string, 'approved')).status).toBe(400);
    expect((await verify(admin.agent, 'Practitioner/nobody', 'validated')).status).toBe(404);

    const res = await verify(admin.agent, doctor.profile as string, 'validated');
    expect(res.status).toBe(200);
    const out = JSON.parse(res.text) as Parameters;
    const result = out.parameter?.find((p) => p.name === 'verificationResult')?.resource;
    expect(result).toMatchObject({ resourceType: 'VerificationResult', status: 'validated', target: [{ reference: doctor.profile }] });
    expect((result as { statusDate?: string }).statusDate).toBeDefined();
    const practitioner = JSON.parse((await server.anonymous().get(`/fhir/${doctor.profile}`).expect(200)).text) as Practitioner;
    expect(practitioner.active).toBe(true);
    expect(practitioner.extension).toEqual([{ url: `${EXT}verification-status`, valueCode: 'verified' }]);
    expect(ids((await patient.agent.get(`/fhir/PractitionerRole?_id=${role.id}`).expect(200)).text)).toEqual([
      `PractitionerRole/${role.id}`,
    ]);
    expect((await slotsOf(server, schedule.id)).length).toBeGreaterThan(0);
    await server.flushAudit();
    const audit = JSON.parse((await admin.agent.get(`/fhir/AuditEvent?entity=${doctor.profile}`).expect(200)).text) as Bundle;
    expect(audit.entry?.length ?? 0).toBeGreaterThan(0);
  });

  test('suspension hides the doctor from discovery and lists, not cancels, their future appointments', async () => {
    const { doctor, schedule } = await doctorWithSchedule(server);
    const patient = await server.actAsPatient();
    const [slot] = await slotsOf(server, schedule.id);
    const booked = await patient.agent
      .post('/fhir/Appointment/$book')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'slot', valueString: `Slot/${slot.id}` }] }))
      .expect(201);
    const appointmentId = JSON.parse(booked.text).id as string;
    const res = await verify(admin.agent, doctor.profile as string, 'suspended', 'Licence expired');
    expect(res.status).toBe(200);
    const out = JSON.parse(res.text) as Parameters;
    expect(out.parameter?.filter((p) => p.name === 'futureAppointment').map((p) => p.valueReference?.reference)).toEqual([
      `Appointment/${appointmentId}`,
    ]);
    expect(out.parameter?.find((p) => p.name === 'verificationResult')?.resource).toMatchObject({ status: 'reval-fail' });
    await server.anonymous().get(`/fhir/${doctor.profile}`).expect(404);
    expect(ids((await patient.agent.get(`/fhir/Slot?schedule=Schedule/${schedule.id}`).expect(200)).text)).toEqual([]);
    const appointment = JSON.parse((await patient.agent.get(`/fhir/Appointment/${appointmentId}`).expect(200)).text);
    expect(appointment.status).toBe('booked');
    // A suspended doctor's slots cannot be booked.
    const [another] = (await slotsOf(server, schedule.id, 'free')) as Slot[];
    const refused = await (
      await server.actAsPatient()
    ).agent
      .post('/fhir/Appointment/$book')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'slot', valueString: `Slot/${another.id}` }] }));
    expect(refused.status).toBe(422);
  });
});

describe('discovery', () => {
  async function listedDoctor(family: string, specialty: string, fee: number, languages: string[], experience: number, rating: number) {
    const doctor = await server.actAsDoctor();
    await server.request
      .put(`/fhir/${doctor.profile}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ resourceType: 'Practitioner', id: doctor.id, active: true, name: [{ family, given: ['Dana'] }] }))
      .expect(200);
    const role: PractitionerRole = {
      ...roleWithRules(doctor.profile as string, { specialty }),
      extension: [
        { url: `${EXT}consultation-fee`, valueMoney: { value: fee, currency: 'EUR' } },
        ...languages.map((code) => ({ url: `${EXT}consultation-language`, valueCode: code })),
        { url: `${EXT}years-of-experience`, valueInteger: experience },
        { url: `${EXT}average-rating`, valueDecimal: rating },
        { url: `${EXT}review-count`, valueUnsignedInt: 10 },
      ],
    };
    // Seeded by a backend client: the rating extensions are the server's, no doctor may write them.
    return { doctor, role: await postAs<PractitionerRole>(server.request, role) };
  }

  test('PractitionerRole search by specialty, language, fee, experience, rating, sorted, with the practitioner included', async () => {
    const a = await listedDoctor('Adler', 'mental-health', 40, ['de', 'en'], 12, 4.8);
    const b = await listedDoctor('Berg', 'mental-health', 30, ['en'], 5, 4.8);
    await listedDoctor('Cohn', 'mental-health', 90, ['en'], 20, 4.9);
    await listedDoctor('Dorn', 'mental-health', 35, ['fr'], 8, 4.9);
    await listedDoctor('Ernst', 'ophthalmology', 20, ['en'], 30, 5);
    const res = await server
      .anonymous()
      .get(
        '/fhir/PractitionerRole?specialty=mental-health&language=en&fee=le50&experience=ge3&rating=ge4.5&_sort=-rating,fee&_include=PractitionerRole:practitioner',
      )
      .expect(200);
    const bundle = JSON.parse(res.text) as Bundle;
    const matches = bundle.entry?.filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id);
    expect(matches).toEqual([b.role.id, a.role.id]);
    const included = bundle.entry?.filter((e) => e.search?.mode === 'include').map((e) => `Practitioner/${e.resource?.id}`);
    expect(included?.sort()).toEqual([a.doctor.profile, b.doctor.profile].sort());
    const byName = await server.anonymous().get('/fhir/PractitionerRole?practitioner.name=adler').expect(200);
    expect(ids(byName.text)).toEqual([`PractitionerRole/${a.role.id}`]);
  });

  test('next free slot of a doctor: Slot?schedule.actor=&status=free&start=ge&_sort=start&_count=1', async () => {
    const { doctor, schedule } = await doctorWithSchedule(server);
    const [first] = await slotsOf(server, schedule.id, 'free');
    const res = await server
      .anonymous()
      .get(`/fhir/Slot?schedule.actor=${doctor.profile}&status=free&start=ge${new Date().toISOString()}&_sort=start&_count=1`)
      .expect(200);
    expect(ids(res.text)).toEqual([`Slot/${first.id}`]);
  });
});

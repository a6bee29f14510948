import type { Appointment, Encounter, Parameters } from '@medplum/fhirtypes';
import type { Actor, TestServer } from './test-server';

const FHIR_JSON = 'application/fhir+json';
const MINUTE = 60_000;

/** A booked 30-minute appointment between patient and doctor starting `startsIn` minutes from now, created directly. */
export async function bookAppointment(server: TestServer, patient: Actor, doctor: Actor, startsIn: number): Promise<Appointment> {
  const start = new Date(Date.now() + startsIn * MINUTE);
  const appointment: Appointment = {
    resourceType: 'Appointment',
    status: 'booked',
    start: start.toISOString(),
    end: new Date(start.getTime() + 30 * MINUTE).toISOString(),
    participant: [
      { actor: { reference: patient.profile }, status: 'accepted' },
      { actor: { reference: doctor.profile }, status: 'accepted' },
    ],
  };
  const res = await server.request.post('/fhir/Appointment').set('Content-Type', FHIR_JSON).send(JSON.stringify(appointment));
  if (res.status !== 201) {
    throw new Error(`creating the appointment failed: ${res.status} ${res.text}`);
  }
  return JSON.parse(res.text) as Appointment;
}

/** POSTs an operation with an empty Parameters body as the actor. */
export function invoke(actor: Actor, path: string) {
  return actor.agent.post(`/fhir/${path}`).set('Content-Type', FHIR_JSON).send('{"resourceType":"Parameters"}');
}

/** The patient checks in to a new appointment starting now: its Encounter. */
export async function checkedIn(
  server: TestServer,
  patient: Actor,
  doctor: Actor,
  startsIn = 0,
): Promise<{ appointment: Appointment; encounter: Encounter }> {
  const appointment = await bookAppointment(server, patient, doctor, startsIn);
  const res = await invoke(patient, `Appointment/${appointment.id}/$check-in`);
  if (res.status !== 201) {
    throw new Error(`check-in failed: ${res.status} ${res.text}`);
  }
  return { appointment, encounter: JSON.parse(res.text) as Encounter };
}

/** `$video-token` answered with 200, as a name -> value map (iceServer parts as objects). */
export async function videoToken(actor: Actor, encounterId: string): Promise<Record<string, unknown>> {
  const res = await invoke(actor, `Encounter/${encounterId}/$video-token`);
  if (res.status !== 200) {
    throw new Error(`$video-token failed: ${res.status} ${res.text}`);
  }
  const result: Record<string, unknown> = {};
  const ice: Record<string, unknown>[] = [];
  for (const p of (JSON.parse(res.text) as Parameters).parameter ?? []) {
    if (p.name === 'iceServer') {
      const server: Record<string, unknown> = {};
      for (const part of p.part ?? []) {
        if (part.name === 'urls') {
          server.urls = [...((server.urls as string[]) ?? []), part.valueString];
        } else {
          server[part.name as string] = part.valueString;
        }
      }
      ice.push(server);
    } else {
      result[p.name as string] = p.valueString ?? p.valueCode ?? p.valueInstant ?? p.valueUrl;
    }
  }
  result.iceServers = ice;
  return result;
}

/** A checked-in consultation of the patient with the doctor, and both participants' room tokens. */
export async function consultationRoom(
  server: TestServer,
  patient: Actor,
  doctor: Actor,
): Promise<{ encounter: Encounter; patientToken: string; doctorToken: string; room: string }> {
  const { encounter } = await checkedIn(server, patient, doctor);
  const forPatient = await videoToken(patient, encounter.id as string);
  const forDoctor = await videoToken(doctor, encounter.id as string);
  return { encounter, patientToken: forPatient.token as string, doctorToken: forDoctor.token as string, room: forPatient.room as string };
}

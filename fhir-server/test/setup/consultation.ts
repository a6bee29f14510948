import type { Appointment, Composition, Encounter, Resource } from '@medplum/fhirtypes';
import type { Actor, TestServer } from './test-server';

const FHIR_JSON = 'application/fhir+json';

/** POSTs a resource and returns it as stored; fails the test with the response on another status. */
export async function createAs<T extends Resource>(agent: Actor['agent'], resource: T, status = 201): Promise<T> {
  const res = await agent.post(`/fhir/${resource.resourceType}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
  expect({ status: res.status, body: res.status === status ? '' : res.text }).toEqual({ status, body: '' });
  return JSON.parse(res.text) as T;
}

/**
 * A consultation as scheduling leaves it: a booked Appointment between the patient and the
 * doctor and its virtual Encounter (created through FHIR by a system client).
 */
export async function consultation(
  server: TestServer,
  patient: string,
  doctor: string,
  status: Encounter['status'] = 'in-progress',
): Promise<{ appointment: Appointment; encounter: Encounter }> {
  const appointment = await createAs<Appointment>(server.request, {
    resourceType: 'Appointment',
    status: status === 'finished' ? 'fulfilled' : 'arrived',
    start: '2026-12-20T09:00:00Z',
    end: '2026-12-20T09:20:00Z',
    participant: [
      { actor: { reference: patient }, status: 'accepted' },
      { actor: { reference: doctor }, status: 'accepted' },
    ],
  });
  const encounter = await createAs<Encounter>(server.request, {
    resourceType: 'Encounter',
    status,
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR', display: 'virtual' },
    subject: { reference: patient },
    participant: [{ individual: { reference: doctor } }],
    appointment: [{ reference: `Appointment/${appointment.id}` }],
    period: { start: '2026-12-20T09:01:00Z', ...(status === 'finished' ? { end: '2026-12-20T09:19:00Z' } : {}) },
  });
  return { appointment, encounter };
}

const SECTIONS = [
  ['Subjective', '61150-9'],
  ['Objective', '61149-1'],
  ['Assessment', '51848-0'],
  ['Plan', '18776-5'],
] as const;

/** A draft SOAP note (LOINC 11488-4) with the four LOINC-coded sections. */
export function soapDraft(patient: string, encounter: string, doctor: string, text = 'pending'): Composition {
  return {
    resourceType: 'Composition',
    status: 'preliminary',
    type: { coding: [{ system: 'http://loinc.org', code: '11488-4', display: 'Consult note' }] },
    subject: { reference: patient },
    encounter: { reference: encounter },
    date: '2026-12-20T09:05:00Z',
    author: [{ reference: doctor }],
    title: 'Consultation note',
    section: SECTIONS.map(([title, code]) => ({
      title,
      code: { coding: [{ system: 'http://loinc.org', code }] },
      text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${title}: ${text}</div>` },
    })),
  };
}

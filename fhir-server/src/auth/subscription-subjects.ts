import { patientCompartmentParams } from '../definitions';

const ID = '[A-Za-z0-9\\-.]{1,64}';

/**
 * Whom a Subscription's criteria pin it to, so a patient or a doctor can own one: `Patient/<id>`
 * for a Patient compartment parameter of the criteria's type or its `patient` parameter
 * (`Appointment?patient=Patient/1`),
 * `Practitioner/<id>` for any parameter naming a practitioner (`Appointment?practitioner=...`).
 * Only plain `name=Type/id` pairs count (one value, no modifier other than the type), because
 * every resource the criteria match must then reference that subject. Storage files the
 * Subscription under the patients (its compartments) or, when it names none, the practitioners
 * (access tags), so the ordinary access rules decide who may create, read, change and delete it.
 */
export function criteriaSubjects(criteria: string | undefined, subjectType: 'Patient' | 'Practitioner'): string[] {
  const [resourceType, query] = (criteria ?? '').split('?', 2);
  if (!resourceType || !query) {
    return [];
  }
  const compartmentParams = patientCompartmentParams(resourceType);
  const value = new RegExp(`^(?:https?://[^?#]+/)?${subjectType}/(${ID})$`);
  const subjects = new Set<string>();
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    return [];
  }
  for (const [name, raw] of params) {
    const [code, modifier] = name.split(':', 2);
    if ((modifier !== undefined && modifier !== subjectType) || raw.includes(',')) {
      continue;
    }
    // In R4 a type's `patient` parameter is the Patient-typed part of a compartment parameter
    // (Appointment.patient: participant.actor as a Patient; the compartment lists `actor`).
    if (subjectType === 'Patient' && code !== 'patient' && !compartmentParams.includes(code)) {
      continue;
    }
    const id = value.exec(raw)?.[1];
    if (id) {
      subjects.add(`${subjectType}/${id}`);
    }
  }
  return [...subjects];
}

import type { Appointment, OperationDefinition } from '@medplum/fhirtypes';
import { book, fromAppointment, type BookingInput } from '../scheduling/appointment-booking';
import type { FhirOperation } from './fhir-operation';
import { OperationInput } from './parameters';

/** The inputs `$book` and `$hold` share: an Appointment, or a slot and patient. */
export const BOOKING_PARAMETERS: OperationDefinition['parameter'] = [
  {
    name: 'appointment',
    use: 'in',
    min: 0,
    max: '1',
    type: 'Appointment',
    documentation: 'An Appointment naming one slot and the patient',
  },
  { name: 'slot', use: 'in', min: 0, max: '1', type: 'string', documentation: 'Slot/<id>' },
  { name: 'patient', use: 'in', min: 0, max: '1', type: 'string', documentation: 'Patient/<id>; a patient books for themselves' },
  { name: 'reason', use: 'in', min: 0, max: '1', type: 'string' },
  { name: 'basedOn', use: 'in', min: 0, max: '*', type: 'string', documentation: 'ServiceRequest/<id> (a follow-up)' },
  { name: 'comment', use: 'in', min: 0, max: '1', type: 'string' },
  { name: 'return', use: 'out', min: 1, max: '1', type: 'Appointment' },
];

export function bookingInput(
  definition: OperationDefinition & { code: string },
  request: Parameters<FhirOperation['handle']>[1],
): BookingInput {
  const input = OperationInput.read(definition, request);
  const appointment = input.resource<Appointment>('appointment', 'Appointment');
  if (appointment) {
    return fromAppointment(appointment);
  }
  const reason = input.string('reason');
  return {
    slot: input.string('slot'),
    patient: input.string('patient'),
    reasonCode: reason ? [{ text: reason }] : undefined,
    basedOn: input.has('basedOn') ? input.strings('basedOn') : undefined,
    comment: input.string('comment'),
  };
}

/**
 * `Appointment/$book` (the Argonaut/IHE scheduling pattern): books a free slot in one
 * transaction and answers 201 with the booked Appointment; a slot taken meanwhile is a 409.
 */
export const appointmentBook: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Appointment-book',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/Appointment-book',
    name: 'Book',
    status: 'active',
    kind: 'operation',
    code: 'book',
    resource: ['Appointment'],
    system: false,
    type: true,
    instance: false,
    affectsState: true,
    parameter: BOOKING_PARAMETERS,
  },
  handle: (ctx, request) => book(ctx, bookingInput(appointmentBook.definition, request), 'booked'),
};

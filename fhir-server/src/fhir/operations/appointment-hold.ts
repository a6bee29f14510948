import type { FhirOperation } from './fhir-operation';
import { book } from '../scheduling/appointment-booking';
import { bookingInput, BOOKING_PARAMETERS } from './appointment-book';

/**
 * `Appointment/$hold`: a short hold on a slot while the patient confirms. The Appointment is
 * pending and the Slot busy-tentative with a hold-expires instant (SLOT_HOLD_MINUTES); `$book`
 * of the same slot by the same patient confirms it, and anyone may book it once the hold lapsed.
 */
export const appointmentHold: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Appointment-hold',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/Appointment-hold',
    name: 'Hold',
    status: 'active',
    kind: 'operation',
    code: 'hold',
    resource: ['Appointment'],
    system: false,
    type: true,
    instance: false,
    affectsState: true,
    parameter: BOOKING_PARAMETERS,
  },
  handle: (ctx, request) => book(ctx, bookingInput(appointmentHold.definition, request), 'pending'),
};

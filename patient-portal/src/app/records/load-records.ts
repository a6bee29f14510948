import type { WritableSignal } from '@angular/core';
import { outcomeMessage } from '../core/fhir/outcome-message';
import type { PatientStore } from '../patient/patient-store';

/** The part of a record page's store that loading drives. */
export interface LoadingState {
  readonly loading: WritableSignal<boolean>;
  readonly error: WritableSignal<string | undefined>;
}

/**
 * Loads a record page's data for the signed-in patient: `loading` is set meanwhile, and a
 * failure is shown in `error` as its OperationOutcome's message. `read` gets the patient's
 * reference (`Patient/<id>`), or undefined when the account has no Patient yet.
 */
export async function loadForPatient(
  state: LoadingState,
  patients: PatientStore,
  read: (patient: string | undefined) => Promise<void>,
): Promise<void> {
  state.loading.set(true);
  state.error.set(undefined);
  try {
    await patients.load();
    await read(patients.reference());
  } catch (error) {
    state.error.set(outcomeMessage(error));
  } finally {
    state.loading.set(false);
  }
}

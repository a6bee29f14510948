import { computed, inject, Injectable, signal } from '@angular/core';
import type { Patient } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { FhirClient } from '../core/fhir/fhir-client';
import { OfflineStore } from '../offline/offline-store';
import { formatHumanName } from '../shared/human-name.pipe';
import { browserTimeZone, patientTimeZone } from './time-zone';

/**
 * The signed-in patient's own Patient resource (the patient in launch context), shared by the
 * features that need it: profile, booking (time zone), appointments. Failures are thrown to
 * the caller, which words them with `outcomeMessage`.
 */
@Injectable({ providedIn: 'root' })
export class PatientStore {
  private readonly fhir = inject(FhirClient);
  /** The signed-in patient, or offline the one whose saved answers are shown. */
  private readonly patientId = inject(OfflineStore).patientId;
  private readonly current = signal<Patient | undefined>(undefined);

  readonly patient = this.current.asReadonly();
  /** `Patient/<id>` of the signed-in patient. */
  readonly reference = computed(() => {
    const id = this.patientId();
    return id ? `Patient/${id}` : undefined;
  });
  readonly displayName = computed(() => formatHumanName(this.current()?.name));
  /** The zone times are shown in: the patient's choice, else this browser's. */
  readonly timeZone = computed(() => patientTimeZone(this.current()) ?? browserTimeZone());

  /** Reads the patient unless already read (`force` reads again). */
  async load(force = false): Promise<Patient> {
    const id = this.patientId();
    if (!id) {
      throw new Error('Your account is not linked to a patient record.');
    }
    const known = this.current();
    if (known?.id === id && !force) {
      return known;
    }
    const patient = await firstValueFrom(this.fhir.read('Patient', id));
    this.current.set(patient);
    return patient;
  }

  /** `PUT Patient/<id>` guarded by the version read (a change elsewhere meanwhile is a 412). */
  async save(patient: Patient & { id: string }): Promise<Patient> {
    const saved = await firstValueFrom(this.fhir.update(patient));
    this.current.set(saved);
    return saved;
  }
}

import { computed, inject, Injectable, signal } from '@angular/core';
import type { CodeSystem } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { matches } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { newCodeProblem, SPECIALTY_CODE_SYSTEM, specialtyRows, withDisplay, withNewSpecialty, withStatus } from './specialty-codes';

/**
 * MedBuddy's specialty CodeSystem for administrators: add, rename, retire. Each change is one
 * guarded `PUT` of the CodeSystem; discovery (`ValueSet/$expand`) follows at once.
 */
@Injectable()
export class SpecialtiesStore {
  private readonly fhir = inject(FhirClient);
  private readonly codeSystem = signal<CodeSystem | undefined>(undefined);
  private readonly busy = signal(true);
  private readonly failure = signal<string | undefined>(undefined);
  private readonly notice = signal<string | undefined>(undefined);

  readonly rows = computed(() => {
    const codeSystem = this.codeSystem();
    return codeSystem ? specialtyRows(codeSystem) : [];
  });
  readonly families = computed(() => this.rows().filter((row) => row.grouping));
  readonly loading = this.busy.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly message = this.notice.asReadonly();

  async load(): Promise<void> {
    await this.run(async () => {
      const bundle = await firstValueFrom(this.fhir.search('CodeSystem', { url: SPECIALTY_CODE_SYSTEM }));
      this.codeSystem.set(matches(bundle)[0]);
    });
  }

  async add(code: string, display: string, family: string): Promise<boolean> {
    const current = this.codeSystem();
    const problem = current ? newCodeProblem(current, code.trim(), display) : 'The specialties are not loaded.';
    if (!current || problem) {
      this.failure.set(problem);
      return false;
    }
    return this.save(withNewSpecialty(current, code.trim(), display, family), `Specialty "${display.trim()}" added.`);
  }

  async rename(code: string, display: string): Promise<boolean> {
    const current = this.codeSystem();
    if (!current || !display.trim()) {
      this.failure.set('Give the new name.');
      return false;
    }
    return this.save(withDisplay(current, code, display), `Renamed to "${display.trim()}".`);
  }

  async setRetired(code: string, retired: boolean): Promise<boolean> {
    const current = this.codeSystem();
    if (!current) {
      return false;
    }
    return this.save(
      withStatus(current, code, retired ? 'retired' : 'active'),
      retired ? `"${code}" retired.` : `"${code}" offered again.`,
    );
  }

  private save(next: CodeSystem, message: string): Promise<boolean> {
    return this.run(async () => {
      this.codeSystem.set(await firstValueFrom(this.fhir.update({ ...next, id: next.id as string })));
      this.notice.set(message);
    });
  }

  private async run(work: () => Promise<void>): Promise<boolean> {
    this.busy.set(true);
    this.failure.set(undefined);
    this.notice.set(undefined);
    try {
      await work();
      return true;
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return false;
    } finally {
      this.busy.set(false);
    }
  }
}

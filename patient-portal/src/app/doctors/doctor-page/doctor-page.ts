import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { RouterLink } from '@angular/router';
import { outcomeMessage } from '../../core/fhir/outcome-message';
import { LANGUAGE_VALUE_SET, ValueSetApi } from '../../terminology/value-set-api';
import { DoctorDirectory } from '../doctor-directory';
import { formatFee, plainParagraphs, type DoctorSummary } from '../doctor-summary';

/** A doctor's page: biography, qualifications, languages, fee, rating; the way to book. */
@Component({
  selector: 'pp-doctor-page',
  imports: [MatButtonModule, MatCardModule, MatProgressSpinnerModule, RouterLink],
  templateUrl: './doctor-page.html',
  styleUrl: './doctor-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DoctorPage {
  /** Route parameter: the PractitionerRole id. */
  readonly roleId = input.required<string>();

  private readonly directory = inject(DoctorDirectory);
  private readonly valueSets = inject(ValueSetApi);
  protected readonly doctor = signal<DoctorSummary | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);
  private readonly languageNames = signal<Readonly<Record<string, string>>>({});

  protected readonly fee = computed(() => formatFee(this.doctor()?.fee));
  protected readonly biography = computed(() => plainParagraphs(this.doctor()?.biography));
  protected readonly languages = computed(() =>
    (this.doctor()?.languages ?? []).map((code) => this.languageNames()[code] ?? code).join(', '),
  );
  protected readonly qualifications = computed(() =>
    (this.doctor()?.practitioner?.qualification ?? []).map((q) => ({
      title: q.code.text ?? q.code.coding?.[0]?.display ?? '',
      issuer: q.issuer?.display,
      since: q.period?.start?.slice(0, 4),
    })),
  );

  constructor() {
    void this.valueSets.expand(LANGUAGE_VALUE_SET).then(
      (choices) => this.languageNames.set(Object.fromEntries(choices.map((c) => [c.code, c.display]))),
      () => undefined,
    );
    effect(() => {
      const roleId = this.roleId();
      untracked(() => void this.load(roleId));
    });
  }

  private async load(roleId: string): Promise<void> {
    this.error.set(undefined);
    try {
      const doctor = await this.directory.read(roleId);
      this.doctor.set(doctor);
      if (!doctor) {
        this.error.set('This doctor is not listed (any more).');
      }
    } catch (error) {
      this.error.set(outcomeMessage(error));
    }
  }
}

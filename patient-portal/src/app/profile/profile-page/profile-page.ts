import { ChangeDetectionStrategy, Component, inject, signal, type OnInit } from '@angular/core';
import { MatCardModule } from '@angular/material/card';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { outcomeMessage } from '../../core/fhir/outcome-message';
import { PatientStore } from '../../patient/patient-store';
import { LANGUAGE_VALUE_SET, ValueSetApi, type Choice } from '../../terminology/value-set-api';
import { DemographicsForm } from '../demographics-form/demographics-form';
import { HealthList } from '../health-list/health-list';
import { ALLERGIES, CONDITIONS, MEDICATIONS } from '../health-item-kinds';

/** The patient's profile: details, then conditions, allergies and current medications. */
@Component({
  selector: 'pp-profile-page',
  imports: [DemographicsForm, HealthList, MatCardModule, MatProgressSpinnerModule],
  templateUrl: './profile-page.html',
  styleUrl: './profile-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ProfilePage implements OnInit {
  protected readonly store = inject(PatientStore);
  private readonly valueSets = inject(ValueSetApi);

  protected readonly kinds = [CONDITIONS, ALLERGIES, MEDICATIONS];
  protected readonly languages = signal<Choice[]>([]);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly loaded = signal(false);

  async ngOnInit(): Promise<void> {
    this.valueSets.expand(LANGUAGE_VALUE_SET).then(
      (languages) => this.languages.set(languages),
      () => undefined, // the list stays empty; the language is then left as it is
    );
    try {
      await this.store.load(true);
      this.loaded.set(true);
    } catch (error) {
      this.error.set(outcomeMessage(error));
    }
  }
}

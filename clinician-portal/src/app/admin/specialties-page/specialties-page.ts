import { ChangeDetectionStrategy, Component, inject, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatSelectModule } from '@angular/material/select';
import type { SpecialtyRow } from '../specialty-codes';
import { SpecialtiesStore } from '../specialties-store';

/** Specialty management: add, rename, retire the codes of MedBuddy's specialty CodeSystem. */
@Component({
  selector: 'cp-specialties-page',
  imports: [FormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressSpinnerModule, MatSelectModule],
  templateUrl: './specialties-page.html',
  styleUrl: './specialties-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SpecialtiesPage implements OnInit {
  protected readonly store = inject(SpecialtiesStore);
  protected draft = { code: '', display: '', family: '' };
  protected readonly names = signal<Readonly<Record<string, string>>>({});

  ngOnInit(): void {
    void this.store.load();
  }

  protected async add(): Promise<void> {
    if (await this.store.add(this.draft.code, this.draft.display, this.draft.family)) {
      this.draft = { code: '', display: '', family: '' };
    }
  }

  protected nameOf(row: SpecialtyRow): string {
    return this.names()[row.code] ?? row.display;
  }

  protected setName(row: SpecialtyRow, name: string): void {
    this.names.update((names) => ({ ...names, [row.code]: name }));
  }

  protected async rename(row: SpecialtyRow): Promise<void> {
    if (await this.store.rename(row.code, this.nameOf(row))) {
      this.names.update(({ [row.code]: _done, ...rest }) => rest);
    }
  }
}

import { NgTemplateOutlet } from '@angular/common';
import { ChangeDetectionStrategy, Component, effect, inject, input, signal, untracked } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import type { HealthItemInput, HealthItemKind, HealthResource } from '../health-item-kinds';
import { HealthListStore } from './health-list-store';

/** What the row shows: being edited, asking to confirm removal, or just shown. */
type RowMode = { readonly id: string; readonly mode: 'edit' | 'confirm-remove' } | { readonly id: 'new'; readonly mode: 'edit' };

const CRITICALITY_TEXT: Readonly<Record<string, string>> = {
  low: 'Mild reaction',
  high: 'Severe reaction',
  'unable-to-assess': 'Severity unknown',
};

/** One section of the health record (conditions, allergies or medications) with add, edit and remove. */
@Component({
  selector: 'pp-health-list',
  imports: [
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    MatSelectModule,
    NgTemplateOutlet,
    ReactiveFormsModule,
  ],
  templateUrl: './health-list.html',
  styleUrl: './health-list.scss',
  providers: [HealthListStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HealthList {
  readonly kind = input.required<HealthItemKind>();
  /** `Patient/<id>` whose record this is. */
  readonly patient = input.required<string>();

  protected readonly store = inject(HealthListStore);
  protected readonly row = signal<RowMode | undefined>(undefined);
  protected readonly criticalityText = CRITICALITY_TEXT;
  protected readonly form = inject(NonNullableFormBuilder).group({
    name: ['', Validators.required],
    detail: [''],
    criticality: ['' as HealthItemInput['criticality'] | ''],
  });

  constructor() {
    effect(() => {
      const kind = this.kind();
      const patient = this.patient();
      untracked(() => void this.store.load(kind, patient));
    });
  }

  protected view(item: HealthResource): HealthItemInput {
    return this.kind().read(item);
  }

  startAdding(): void {
    this.form.reset({ name: '', detail: '', criticality: '' });
    this.row.set({ id: 'new', mode: 'edit' });
  }

  startEditing(item: HealthResource): void {
    const current = this.view(item);
    this.form.reset({ name: current.name, detail: current.detail, criticality: current.criticality ?? '' });
    this.row.set({ id: item.id as string, mode: 'edit' });
  }

  askToRemove(item: HealthResource): void {
    this.row.set({ id: item.id as string, mode: 'confirm-remove' });
  }

  cancel(): void {
    this.row.set(undefined);
  }

  async save(existing?: HealthResource): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const value = this.form.getRawValue();
    const saved = await this.store.save({ name: value.name, detail: value.detail, criticality: value.criticality || undefined }, existing);
    if (saved) {
      this.row.set(undefined);
    }
  }

  async remove(item: HealthResource): Promise<void> {
    if (await this.store.remove(item)) {
      this.row.set(undefined);
    }
  }

  protected isRow(item: HealthResource | 'new', mode: RowMode['mode']): boolean {
    const row = this.row();
    return !!row && row.mode === mode && row.id === (item === 'new' ? 'new' : item.id);
  }
}

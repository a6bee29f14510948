import { chartOf, chartSections } from './patient-chart';

describe('chartOf', () => {
  it('sorts $everything into sections and a newest-first timeline', () => {
    const chart = chartOf([
      { resourceType: 'Patient', id: 'p1', name: [{ family: 'Keller' }] },
      {
        resourceType: 'Condition',
        id: 'c1',
        subject: { reference: 'Patient/p1' },
        code: { text: 'Hypertension' },
        recordedDate: '2026-10-01',
      },
      { resourceType: 'AllergyIntolerance', id: 'a1', patient: { reference: 'Patient/p1' }, code: { text: 'Penicillin' } },
      { resourceType: 'MedicationStatement', id: 'm1', status: 'active', subject: { reference: 'Patient/p1' } },
      {
        resourceType: 'MedicationRequest',
        id: 'm2',
        status: 'active',
        intent: 'order',
        subject: { reference: 'Patient/p1' },
        authoredOn: '2026-11-02T10:00:00Z',
        medicationCodeableConcept: { coding: [{ code: '197361', display: 'Amlodipine 5 MG' }] },
      },
      { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'VR' }, period: { start: '2026-11-02T09:40:00Z' } },
      {
        resourceType: 'DocumentReference',
        id: 'd1',
        status: 'current',
        date: '2026-11-03T00:00:00Z',
        content: [{ attachment: { title: 'Blood panel' } }],
      },
    ]);
    expect(chart.patient?.id).toBe('p1');
    expect(chart.conditions.map((c) => c.id)).toEqual(['c1']);
    expect(chart.allergies.map((a) => a.id)).toEqual(['a1']);
    expect(chart.medications.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(chart.documents.map((d) => d.id)).toEqual(['d1']);
    expect(chart.timeline).toEqual([
      { date: '2026-11-03T00:00:00Z', kind: 'Document', text: 'Blood panel' },
      { date: '2026-11-02T10:00:00Z', kind: 'Prescription', text: 'Amlodipine 5 MG' },
      { date: '2026-11-02T09:40:00Z', kind: 'Consultation', text: 'finished' },
      { date: '2026-10-01', kind: 'Condition', text: 'Hypertension' },
    ]);
  });

  it('has no patient when $everything returned nothing', () => {
    expect(chartOf([]).patient).toBeUndefined();
  });

  it('lays the chart out as cards of lines, saying when a card is empty', () => {
    const chart = chartOf([
      { resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p1' }, code: { text: 'Asthma' } },
      {
        resourceType: 'DocumentReference',
        id: 'd1',
        status: 'current',
        date: '2026-11-25T10:00:00Z',
        content: [{ attachment: { title: 'Blood panel' } }],
      },
    ]);
    expect(chartSections(chart)).toEqual([
      { title: 'Conditions', lines: ['Asthma'], empty: 'None recorded' },
      { title: 'Allergies', lines: [], empty: 'None recorded' },
      { title: 'Medications', lines: [], empty: 'None recorded' },
      { title: 'Documents', lines: ['Blood panel · Nov 25, 2026'], empty: 'None' },
      { title: 'Latest vitals', lines: [], empty: 'None recorded' },
    ]);
  });

  it('lists the latest vitals with their values: a quantity, a blood pressure, a text', () => {
    const observation = (id: string, text: string, value: object) =>
      ({ resourceType: 'Observation', id, status: 'final', code: { text }, effectiveDateTime: '2026-11-20T08:00:00Z', ...value }) as const;
    const chart = {
      ...chartOf([]),
      vitals: [
        observation('w', 'Body weight', { valueQuantity: { value: 72.5, unit: 'kg' } }),
        observation('bp', 'Blood pressure', {
          component: [
            { code: { text: 'Systolic' }, valueQuantity: { value: 120, unit: 'mm[Hg]' } },
            { code: { text: 'Diastolic' }, valueQuantity: { value: 80, unit: 'mm[Hg]' } },
          ],
        }),
        observation('s', 'Smoking', { valueString: 'never' }),
      ],
    };
    expect(chartSections(chart).find((section) => section.title === 'Latest vitals')?.lines).toEqual([
      'Body weight: 72.5 kg · Nov 20, 2026',
      'Blood pressure: 120/80 mm[Hg] · Nov 20, 2026',
      'Smoking: never · Nov 20, 2026',
    ]);
  });
});

import { emptyPracticeForm, fromPractitionerRole, practiceFormProblems, toPractitionerRole, EXTENSION } from './practice-form';

describe('practice form', () => {
  const form = () => ({
    ...emptyPracticeForm('Europe/Berlin'),
    specialty: 'cardiology',
    specialtyDisplay: 'Cardiology',
    fee: 60,
    languages: ['de', 'en'],
    biography: ' Heart doctor ',
    slotMinutes: 20,
    exceptions: [{ from: '2026-12-24', to: '2026-12-26', description: 'Holidays' }],
  });

  it('writes opening hours with a break as two availableTime entries, and the profile extensions', () => {
    const role = toPractitionerRole(form(), 'Practitioner/d1');
    expect(role.availableTime).toEqual([
      { daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], availableStartTime: '09:00:00', availableEndTime: '12:00:00' },
      { daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], availableStartTime: '13:00:00', availableEndTime: '17:00:00' },
    ]);
    expect(role.notAvailable).toEqual([{ description: 'Holidays', during: { start: '2026-12-24', end: '2026-12-26' } }]);
    expect(role.practitioner).toEqual({ reference: 'Practitioner/d1' });
    expect(role.extension).toContainEqual({ url: `${EXTENSION}timezone`, valueCode: 'Europe/Berlin' });
    expect(role.extension).toContainEqual({ url: `${EXTENSION}biography`, valueMarkdown: 'Heart doctor' });
    expect(role.extension?.filter((e) => e.url === `${EXTENSION}consultation-language`).map((e) => e.valueCode)).toEqual(['de', 'en']);
  });

  it('reads back what it wrote, merging the two entries into hours with a break', () => {
    const original = form();
    const back = fromPractitionerRole(toPractitionerRole(original, 'Practitioner/d1'), 'UTC');
    expect(back).toEqual({ ...original, biography: 'Heart doctor' });
  });

  it('keeps what the form does not edit (ratings, id) and replaces what it edits', () => {
    const stored = {
      ...toPractitionerRole(form(), 'Practitioner/d1'),
      id: 'r1',
      extension: [
        { url: `${EXTENSION}average-rating`, valueDecimal: 4.5 },
        { url: `${EXTENSION}timezone`, valueCode: 'UTC' },
      ],
    };
    const role = toPractitionerRole(form(), 'Practitioner/d1', stored);
    expect(role.id).toBe('r1');
    expect(role.extension).toContainEqual({ url: `${EXTENSION}average-rating`, valueDecimal: 4.5 });
    expect(role.extension?.filter((e) => e.url === `${EXTENSION}timezone`)).toEqual([
      { url: `${EXTENSION}timezone`, valueCode: 'Europe/Berlin' },
    ]);
  });

  it('names what the server would refuse', () => {
    const bad = {
      ...form(),
      specialty: '',
      fee: null,
      slotMinutes: 2,
      hours: [{ days: [], start: '10:00', end: '09:00', breakStart: '11:00', breakEnd: '10:30' }],
      exceptions: [{ from: '2026-12-26', to: '2026-12-24', description: '' }],
    };
    expect(practiceFormProblems(bad)).toEqual([
      'Choose a specialty.',
      'Give a consultation fee (0 or more).',
      'Slots last between 5 and 240 whole minutes.',
      'Opening hours 1: choose at least one day.',
      'Opening hours 1: the end must be after the start.',
      'Opening hours 1: the break must lie inside the opening hours.',
      'Absence 1: give a first and a last day, in order.',
    ]);
    expect(practiceFormProblems(form())).toEqual([]);
  });
});

import { renderNotice } from './email-templates';

const start = new Date('2026-12-16T09:00:00Z');

test('the time is shown in the recipient’s zone and language', () => {
  const paris = renderNotice({ kind: 'confirmation', start, language: 'fr', timeZone: 'Europe/Paris', link: 'https://x/patient/' });
  expect(paris.text).toContain('mercredi 16 décembre 2026 à 10:00 (Europe/Paris)');
  const tokyo = renderNotice({ kind: 'confirmation', start, language: 'de-DE', timeZone: 'Asia/Tokyo', link: 'https://x/patient/' });
  expect(tokyo.subject).toBe('Ihr Termin ist gebucht');
  expect(tokyo.text).toContain('18:00 (Asia/Tokyo)');
});

test('an unsupported or malformed language falls back to English', () => {
  for (const language of ['pt-BR', 'not a language!', undefined]) {
    const notice = renderNotice({ kind: 'reminder', start, minutesBefore: 60, language, timeZone: 'UTC', link: 'https://x/' });
    expect(notice.subject).toBe('Reminder: your consultation starts in 1 hour');
    expect(notice.language).toBe('en');
  }
});

test('names are escaped in the HTML part', () => {
  const notice = renderNotice({ kind: 'confirmation', start, withWhom: '<script>x</script>', timeZone: 'UTC', link: 'https://x/' });
  expect(notice.html).not.toContain('<script>');
  expect(notice.html).toContain('&#60;script&#62;');
  expect(notice.text).toContain('with <script>x</script>');
});

test('every notice kind has a text in every language', () => {
  const kinds = ['confirmation', 'cancellation', 'reschedule', 'reminder', 'follow-up', 'prescription-ready', 'report-uploaded'] as const;
  for (const kind of kinds) {
    for (const language of ['en', 'fr', 'de']) {
      const notice = renderNotice({ kind, start, minutesBefore: 10, language, timeZone: 'UTC', link: 'https://x/' });
      expect(notice.subject).not.toMatch(/[{}]/);
      expect(notice.text).not.toMatch(/[{}]/);
    }
  }
});

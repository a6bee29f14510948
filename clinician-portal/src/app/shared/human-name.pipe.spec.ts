import { formatHumanName, HumanNamePipe } from './human-name.pipe';

describe('formatHumanName', () => {
  it('prefers the usual name, then the official one (datatypes.html#HumanName)', () => {
    expect(
      formatHumanName([
        { use: 'official', given: ['Margaret', 'Ann'], family: 'Smith' },
        { use: 'usual', given: ['Maggie'], family: 'Smith' },
      ]),
    ).toBe('Maggie Smith');
    expect(
      formatHumanName([
        { use: 'nickname', given: ['Mo'] },
        { use: 'official', prefix: ['Dr.'], given: ['Mo'], family: 'Ali' },
      ]),
    ).toBe('Dr. Mo Ali');
  });

  it('uses text when given, skips names whose period has ended, and copes with nothing', () => {
    expect(formatHumanName([{ text: ' Jane Q. Public ' }])).toBe('Jane Q. Public');
    expect(formatHumanName([{ family: 'Maiden', period: { end: '2001-01-01' } }, { family: 'Married' }])).toBe('Married');
    expect(formatHumanName(undefined)).toBe('');
    expect(new HumanNamePipe().transform([{ given: ['Ana'] }])).toBe('Ana');
  });
});

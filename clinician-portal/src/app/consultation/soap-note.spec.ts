import { draftNote, soapText, templateText, withText } from './soap-note';

describe('SOAP note', () => {
  const ids = { patient: 'Patient/p1', encounter: 'Encounter/e1', author: 'Practitioner/d1' };

  it('writes the four LOINC-coded sections as escaped XHTML and reads the text back', () => {
    const text = { subjective: 'Pain <3 days> & fever', objective: 'BP 120/80\nHR 70', assessment: '', plan: 'Rest' };
    const note = draftNote(text, ids, new Date('2026-12-20T09:00:00Z'));
    expect(note.status).toBe('preliminary');
    expect(note.section?.map((s) => s.code?.coding?.[0]?.code)).toEqual(['61150-9', '61149-1', '51848-0', '18776-5']);
    expect(note.section?.[0].text?.div).toBe('<div xmlns="http://www.w3.org/1999/xhtml">Pain &lt;3 days&gt; &amp; fever</div>');
    expect(soapText(note)).toEqual(text);
  });

  it('changes only the sections of a stored note', () => {
    const stored = { ...draftNote({ subjective: 'a', objective: 'b', assessment: 'c', plan: 'd' }, ids), id: 'c1', title: 'Kept' };
    const changed = withText(stored, { subjective: 'A', objective: 'b', assessment: 'c', plan: 'd' });
    expect(changed.id).toBe('c1');
    expect(changed.title).toBe('Kept');
    expect(soapText(changed).subjective).toBe('A');
  });

  it('takes the initial text of each template item', () => {
    const text = templateText({
      resourceType: 'Questionnaire',
      status: 'active',
      item: [
        { linkId: 'subjective', type: 'text', initial: [{ valueString: 'Complaint:' }] },
        { linkId: 'x', type: 'text', code: [{ system: 'http://loinc.org', code: '18776-5' }], initial: [{ valueString: 'Plan:' }] },
      ],
    });
    expect(text).toEqual({ subjective: 'Complaint:', objective: '', assessment: '', plan: 'Plan:' });
  });
});

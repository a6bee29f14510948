import type { Composition, CompositionSection, Questionnaire } from '@medplum/fhirtypes';

export const NOTE_PROFILE = 'https://medbuddy.dev/fhir/StructureDefinition/medbuddy-consultation-note';

export type SoapSection = 'subjective' | 'objective' | 'assessment' | 'plan';
export const SOAP_SECTIONS: readonly { readonly key: SoapSection; readonly title: string; readonly loinc: string }[] = [
  { key: 'subjective', title: 'Subjective', loinc: '61150-9' },
  { key: 'objective', title: 'Objective', loinc: '61149-1' },
  { key: 'assessment', title: 'Assessment', loinc: '51848-0' },
  { key: 'plan', title: 'Plan', loinc: '18776-5' },
];

/** The text of the four SOAP sections, as the doctor types it. */
export type SoapText = Record<SoapSection, string>;

export const EMPTY_SOAP: SoapText = { subjective: '', objective: '', assessment: '', plan: '' };

/** A new draft note (LOINC 11488-4, status preliminary) for the encounter, by the doctor. */
export function draftNote(text: SoapText, ids: { patient: string; encounter: string; author: string }, now = new Date()): Composition {
  return {
    resourceType: 'Composition',
    meta: { profile: [NOTE_PROFILE] },
    status: 'preliminary',
    type: { coding: [{ system: 'http://loinc.org', code: '11488-4', display: 'Consult note' }] },
    subject: { reference: ids.patient },
    encounter: { reference: ids.encounter },
    date: now.toISOString(),
    author: [{ reference: ids.author }],
    title: 'Consultation note',
    section: sections(text),
  };
}

/** The note with the doctor's text in its sections; everything else is kept. */
export function withText(note: Composition, text: SoapText): Composition {
  return { ...note, section: sections(text) };
}

/** The text of each SOAP section of a stored note (by LOINC code, else by title). */
export function soapText(note: Composition): SoapText {
  const text = { ...EMPTY_SOAP };
  for (const { key, title, loinc } of SOAP_SECTIONS) {
    const section = note.section?.find((s) => s.code?.coding?.some((c) => c.code === loinc) ?? s.title === title);
    text[key] = section?.text?.div ? divText(section.text.div) : '';
  }
  return text;
}

/** The initial text of each section in a SOAP template Questionnaire (items coded like the sections). */
export function templateText(template: Questionnaire): SoapText {
  const text = { ...EMPTY_SOAP };
  for (const { key, loinc } of SOAP_SECTIONS) {
    const item = template.item?.find((i) => i.linkId === key || i.code?.some((c) => c.code === loinc));
    text[key] = item?.initial?.[0]?.valueString ?? '';
  }
  return text;
}

function sections(text: SoapText): CompositionSection[] {
  return SOAP_SECTIONS.map(({ key, title, loinc }) => ({
    title,
    code: { coding: [{ system: 'http://loinc.org', code: loinc }] },
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${escapeXml(text[key])}</div>` },
  }));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The text content of an XHTML div (tags dropped, the XML entities decoded). */
export function divText(div: string): string {
  return div
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

import type { DocumentReference } from '@medplum/fhirtypes';
import { documentCategory, documentFileName, documentSize, documentTitle } from './document-labels';

function document(
  attachment: { title?: string; contentType?: string; size?: number },
  extra: Partial<DocumentReference> = {},
): DocumentReference {
  return { resourceType: 'DocumentReference', id: 'd1', status: 'current', content: [{ attachment }], ...extra };
}

describe('document labels', () => {
  it('titles a document by its attachment, its description, or the fallback', () => {
    expect(documentTitle(document({ title: 'Blood panel' }))).toBe('Blood panel');
    expect(documentTitle(document({}, { description: 'Scan' }))).toBe('Scan');
    expect(documentTitle(document({}))).toBe('Document');
    expect(documentTitle(document({}), 'Report')).toBe('Report');
  });

  it('names the category by its text or its coding', () => {
    expect(documentCategory(document({}, { category: [{ text: 'Laboratory' }] }))).toBe('Laboratory');
    expect(documentCategory(document({}, { category: [{ coding: [{ display: 'Imaging' }] }] }))).toBe('Imaging');
    expect(documentCategory(document({}))).toBe('');
  });

  it('gives the size in KB or MB', () => {
    expect(documentSize(document({ size: 100 }))).toBe('1 KB');
    expect(documentSize(document({ size: 12 * 1024 }))).toBe('12 KB');
    expect(documentSize(document({ size: 3.4 * 1024 * 1024 }))).toBe('3.4 MB');
    expect(documentSize(document({}))).toBe('');
  });

  it('names a download with the extension of its type', () => {
    expect(documentFileName(document({ title: 'x-ray.png', contentType: 'image/png' }))).toBe('x-ray.png');
    expect(documentFileName(document({ title: 'scan', contentType: 'image/jpeg' }))).toBe('scan.jpg');
    expect(documentFileName(document({ title: 'ct', contentType: 'application/dicom' }))).toBe('ct.dcm');
    expect(documentFileName(document({ contentType: 'application/pdf' }))).toBe('document-d1.pdf');
    expect(documentFileName(document({ contentType: 'application/pdf' }), 'report')).toBe('report-d1.pdf');
  });
});

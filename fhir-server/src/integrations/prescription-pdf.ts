import * as pdfmake from 'pdfmake';
import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces';
import type { PrescriptionDocuments, PrescriptionView } from '../domain/prescriptions/prescription-view';
import type { SigningCredential } from '../storage/signing-credentials';
import { signPdf } from './pdf-signature';

/** pdfmake 0.2's server-side printer (its typings describe the browser API of 0.3). */
interface PdfPrinter {
  createPdfKitDocument(definition: TDocumentDefinitions): NodeJS.ReadableStream & { end(): void };
}
const Printer = (pdfmake as unknown as { default: new (fonts: object) => PdfPrinter }).default;

/** The PDF standard fonts: nothing to ship or load. */
const FONTS = {
  Helvetica: { normal: 'Helvetica', bold: 'Helvetica-Bold', italics: 'Helvetica-Oblique', bolditalics: 'Helvetica-BoldOblique' },
};

/** Prescription PDFs rendered with pdfmake and signed with the platform credential. */
export class SignedPrescriptionPdf implements PrescriptionDocuments {
  private readonly printer = new Printer(FONTS);

  constructor(private readonly credential: SigningCredential) {}

  async renderSigned(view: PrescriptionView): Promise<{ pdf: Buffer; signature: Buffer }> {
    const pdf = await this.render(view);
    return signPdf(pdf, this.credential, {
      reason: `Prescription ${view.number}`,
      name: view.prescriber.name,
      location: 'MedBuddy',
      contactInfo: view.prescriber.reference,
    });
  }

  private render(view: PrescriptionView): Promise<Buffer> {
    // No object streams or compression tricks: the signature placeholder is added to the plain PDF.
    const doc = this.printer.createPdfKitDocument(prescriptionDocument(view));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      doc.on('data', (chunk: Buffer) => chunks.push(chunk));
      doc.on('end', () => resolve(Buffer.concat(chunks)));
      doc.on('error', reject);
      doc.end();
    });
  }
}

/** The pdfmake document: header, prescriber, patient, medications with dosage, verification. */
export function prescriptionDocument(view: PrescriptionView): TDocumentDefinitions {
  const items: Content[] = view.items.map((item, index) => ({
    margin: [0, 6, 0, 0],
    stack: [
      { text: `${index + 1}. ${item.medication}`, bold: true },
      { text: item.dosage },
      {
        text: [
          item.quantity ? `Quantity: ${item.quantity}` : '',
          item.refills !== undefined ? `   Refills: ${item.refills}` : '',
          item.validUntil ? `   Valid until: ${item.validUntil}` : '',
        ].join(''),
        fontSize: 9,
        color: '#444444',
      },
    ],
  }));
  return {
    info: { title: `Prescription ${view.number}`, author: view.prescriber.name, creator: 'MedBuddy' },
    defaultStyle: { font: 'Helvetica', fontSize: 11 },
    pageSize: 'A4',
    pageMargins: [50, 50, 50, 50],
    content: [
      {
        columns: [
          { text: 'Prescription', fontSize: 22, bold: true },
          { text: `No. ${view.number}\n${view.issued}`, alignment: 'right' },
        ],
      },
      { canvas: [{ type: 'line', x1: 0, y1: 6, x2: 495, y2: 6, lineWidth: 1 }] },
      {
        margin: [0, 14, 0, 0],
        columns: [
          {
            stack: [
              { text: 'Prescriber', bold: true },
              view.prescriber.name,
              ...view.prescriber.qualifications.map((q) => ({ text: q, fontSize: 9 })),
            ],
          },
          { stack: [{ text: 'Patient', bold: true }, view.patient.name, view.patient.birthDate ? `Born ${view.patient.birthDate}` : ''] },
        ],
      },
      { text: 'Medications', bold: true, fontSize: 13, margin: [0, 20, 0, 0] },
      ...items,
      {
        margin: [0, 30, 0, 0],
        columns: [
          { qr: view.verificationText, fit: 110, width: 130 },
          {
            stack: [
              { text: 'Verification code', bold: true },
              { text: view.verificationCode, fontSize: 16, characterSpacing: 2 },
              {
                text: 'Digitally signed by MedBuddy on behalf of the prescriber. The QR code holds:',
                fontSize: 9,
                margin: [0, 8, 0, 0],
              },
              { text: view.verificationText, fontSize: 8, color: '#444444' },
            ],
          },
        ],
      },
    ],
  };
}

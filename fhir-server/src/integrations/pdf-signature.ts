import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { P12Signer } from '@signpdf/signer-p12';
import { SignPdf } from '@signpdf/signpdf';
import type { SigningCredential } from '../storage/signing-credentials';

export interface SignatureDetails {
  readonly reason: string;
  readonly name: string;
  readonly location: string;
  readonly contactInfo: string;
}

export interface SignedPdf {
  readonly pdf: Buffer;
  /** The detached PKCS#7 (CMS) signature embedded in the PDF, DER. */
  readonly signature: Buffer;
}

/**
 * Signs a PDF with a PKCS#7 detached signature over its byte range (adbe.pkcs7.detached, as
 * PAdES basic), added as an incremental update with an AcroForm signature field.
 */
export async function signPdf(pdf: Buffer, credential: SigningCredential, details: SignatureDetails): Promise<SignedPdf> {
  const prepared = plainAddPlaceholder({ pdfBuffer: pdf, ...details, signatureLength: 8192 });
  const signer = new P12Signer(credential.pkcs12, { passphrase: credential.passphrase });
  // One SignPdf per call: it keeps the last signature as state.
  const signpdf = new SignPdf();
  const signed = await signpdf.sign(prepared, signer);
  return { pdf: signed, signature: Buffer.from(signpdf.lastSignature, 'hex') };
}

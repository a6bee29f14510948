/** What a prescription document shows: plain text, assembled from the FHIR resources by the domain. */
export interface PrescriptionView {
  /** The groupIdentifier value shared by the prescription's MedicationRequests. */
  readonly number: string;
  /** ISO date the prescription was written. */
  readonly issued: string;
  readonly prescriber: { readonly name: string; readonly qualifications: readonly string[]; readonly reference: string };
  readonly patient: { readonly name: string; readonly birthDate?: string; readonly reference: string };
  readonly items: readonly PrescriptionItemView[];
  /** Short code a pharmacist types or scans (also in the QR code) to check the prescription. */
  readonly verificationCode: string;
  /** What the QR code holds: prescription number and verification code. */
  readonly verificationText: string;
}

export interface PrescriptionItemView {
  readonly medication: string;
  readonly dosage: string;
  readonly quantity?: string;
  readonly refills?: number;
  readonly validUntil?: string;
}

/** Renders and signs prescription PDFs (integrations/prescription-pdf.ts). */
export interface PrescriptionDocuments {
  renderSigned(view: PrescriptionView): Promise<{ readonly pdf: Buffer; readonly signature: Buffer }>;
}

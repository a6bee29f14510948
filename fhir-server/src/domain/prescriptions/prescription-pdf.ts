import { createHash } from 'node:crypto';
import type { Binary, HumanName, MedicationRequest, Patient, Practitioner, Provenance } from '@medplum/fhirtypes';
import { FULL_ACCESS } from '../../auth/access-context';
import type { FhirRepository, StoredVersion } from '../../storage/fhir-repository';
import { RuleViolation } from '../rule-violation';
import { readReference, writeNew } from '../stored-writes';
import type { PrescriptionDocuments, PrescriptionView } from './prescription-view';

/** ASTM E1762-95 "Source Signature": the platform signs on the prescriber's behalf. */
const SOURCE_SIGNATURE = { system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.14', display: 'Source Signature' };
const LIVE_STATUSES: ReadonlySet<string> = new Set(['active', 'completed', 'on-hold']);

export interface PrescriptionPdf {
  /** The signed PDF as a Binary (application/pdf). */
  readonly binary: Binary & { id: string };
  readonly provenance?: Provenance;
}

/**
 * `$pdf`: the signed PDF of the prescription a MedicationRequest belongs to (all live items
 * with its groupIdentifier). Whoever may read the item (its patient, the prescriber, a doctor
 * in care) gets it. The first request for a given set of item versions renders and signs it,
 * stores it as a Binary and records a Provenance with the signature; later ones get the same
 * document, so a download is not a new signature.
 */
export async function prescriptionPdf(repo: FhirRepository, id: string, documents: PrescriptionDocuments): Promise<PrescriptionPdf> {
  const item = await readReference<MedicationRequest>(repo, `MedicationRequest/${id}`, 'MedicationRequest');
  if (!item) {
    throw new RuleViolation('not-found', `MedicationRequest/${id} not found`);
  }
  const group = await groupOf(repo, item);
  if (group.length === 0) {
    throw new RuleViolation('business-rule', 'This prescription has no active items (cancelled)');
  }
  const key = createHash('sha256')
    .update(JSON.stringify(group.map((g) => `${g.stored.id}@${g.stored.versionId}`)))
    .digest('hex');
  const binaryId = `rx-${key.slice(0, 40)}`;
  const server = repo.withAccess(FULL_ACCESS);
  return server.transaction(async (tx) => {
    await tx.lock(`prescription-pdf:${binaryId}`);
    const existing = await tx.readCurrent('Binary', binaryId);
    if (existing && !existing.deleted) {
      return { binary: JSON.parse(existing.content) as Binary & { id: string } };
    }
    const view = await viewOf(tx, group, key);
    const { pdf, signature } = await documents.renderSigned(view);
    const now = new Date().toISOString();
    const binary = await writeNew<Binary>(
      tx,
      {
        resourceType: 'Binary',
        contentType: 'application/pdf',
        securityContext: { reference: `MedicationRequest/${id}` },
        data: pdf.toString('base64'),
      },
      binaryId,
    );
    const provenance = await writeNew<Provenance>(
      tx,
      {
        resourceType: 'Provenance',
        target: [
          ...group.map((g) => ({ reference: `MedicationRequest/${g.stored.id}/_history/${g.stored.versionId}` })),
          { reference: view.patient.reference },
        ],
        recorded: now,
        agent: [{ who: { reference: view.prescriber.reference } }],
        entity: [{ role: 'derivation', what: { reference: `Binary/${binaryId}` } }],
        signature: [
          {
            type: [SOURCE_SIGNATURE],
            when: now,
            who: { reference: view.prescriber.reference },
            targetFormat: 'application/pdf',
            sigFormat: 'application/pkcs7-signature',
            data: signature.toString('base64'),
          },
        ],
      },
      `${binaryId}-signature`,
    );
    return { binary, provenance };
  });
}

interface GroupItem {
  readonly stored: StoredVersion;
  readonly request: MedicationRequest;
}

/** The live items of the item's prescription (same groupIdentifier, patient and prescriber), in id order. */
async function groupOf(repo: FhirRepository, item: MedicationRequest): Promise<GroupItem[]> {
  const group = item.groupIdentifier;
  const page = group?.value
    ? await repo.search({
        resourceTypes: ['MedicationRequest'],
        filters: [
          {
            code: 'group-identifier',
            type: 'token',
            values: [
              group.system ? { value: `${group.system}|${group.value}`, parts: [group.system, group.value] } : { value: group.value },
            ],
          },
        ],
        sort: [],
        count: 100,
        total: 'none',
      })
    : { entries: [] };
  return page.entries
    .map((stored) => ({ stored, request: JSON.parse(stored.content) as MedicationRequest }))
    .filter(
      ({ request }) =>
        LIVE_STATUSES.has(request.status) &&
        request.subject?.reference === item.subject?.reference &&
        request.requester?.reference === item.requester?.reference,
    )
    .sort((a, b) => a.stored.id.localeCompare(b.stored.id));
}

async function viewOf(repo: FhirRepository, group: readonly GroupItem[], key: string): Promise<PrescriptionView> {
  const first = group[0].request;
  const prescriber = await readReference<Practitioner>(repo, first.requester?.reference, 'Practitioner');
  const patient = await readReference<Patient>(repo, first.subject?.reference, 'Patient');
  const code = key.slice(0, 12).toUpperCase();
  const verificationCode = `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
  const number = first.groupIdentifier?.value ?? group[0].stored.id;
  return {
    number,
    issued: (first.authoredOn ?? new Date().toISOString()).slice(0, 10),
    prescriber: {
      name: nameOf(prescriber?.name) ?? 'Unknown prescriber',
      qualifications: (prescriber?.qualification ?? [])
        .map((q) => q.code.text ?? q.code.coding?.[0]?.display ?? q.code.coding?.[0]?.code ?? '')
        .filter(Boolean),
      reference: first.requester?.reference as string,
    },
    patient: {
      name: nameOf(patient?.name) ?? 'Unknown patient',
      birthDate: patient?.birthDate,
      reference: first.subject?.reference as string,
    },
    items: group.map(({ request }) => ({
      medication: request.medicationCodeableConcept?.text ?? request.medicationCodeableConcept?.coding?.[0]?.display ?? 'Medication',
      dosage: (request.dosageInstruction ?? []).map((d) => d.text ?? '').join('; '),
      quantity: request.dispenseRequest?.quantity
        ? `${request.dispenseRequest.quantity.value ?? ''} ${request.dispenseRequest.quantity.unit ?? ''}`.trim()
        : undefined,
      refills: request.dispenseRequest?.numberOfRepeatsAllowed,
      validUntil: request.dispenseRequest?.validityPeriod?.end,
    })),
    verificationCode,
    verificationText: `MEDBUDDY-RX:${number}:${verificationCode}`,
  };
}

function nameOf(names: readonly HumanName[] | undefined): string | undefined {
  const name = names?.[0];
  if (!name) {
    return undefined;
  }
  return name.text ?? [...(name.prefix ?? []), ...(name.given ?? []), name.family ?? ''].join(' ').trim();
}

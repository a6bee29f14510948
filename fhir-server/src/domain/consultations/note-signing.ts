import type { Composition, Provenance } from '@medplum/fhirtypes';
import type { AccessContext } from '../../auth/access-context';
import type { FhirRepository } from '../../storage/fhir-repository';
import { callerPractitioner } from '../caller';
import { RuleViolation } from '../rule-violation';
import { lockForUpdate, writeNew, writeNext } from '../stored-writes';
import { requireAuthor } from './consultation-note';

/** ASTM E1762-95 signature type "Author's Signature" (R4 valueset-signature-type). */
export const AUTHOR_SIGNATURE = { system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1', display: "Author's Signature" };
/** v3-ParticipationType LA: the legal authenticator, the activity of signing. */
const LEGAL_AUTHENTICATION = {
  system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  code: 'LA',
  display: 'legal authenticator',
};

export interface SignedNote {
  readonly note: Composition & { id: string };
  readonly provenance: Provenance & { id: string };
}

/**
 * `$sign`: the author makes a draft note final, attested (mode legal) now, and records the
 * act as a Provenance with a signature, in one transaction. `expectedVersion` (If-Match)
 * makes sure the doctor signs the text they saw.
 */
export async function signNote(repo: FhirRepository, access: AccessContext, id: string, expectedVersion?: number): Promise<SignedNote> {
  const doctor = callerPractitioner(access);
  if (!doctor) {
    throw new RuleViolation('forbidden', 'Only the author of a consultation note signs it');
  }
  return repo.transaction(async (tx) => {
    const { stored, resource } = await lockForUpdate<Composition>(tx, 'Composition', id);
    requireAuthor(resource, doctor);
    if (expectedVersion !== undefined && expectedVersion !== stored.versionId) {
      throw new RuleViolation(
        'precondition-failed',
        `The note changed since version ${expectedVersion}; it is at version ${stored.versionId}`,
      );
    }
    if (resource.status !== 'preliminary') {
      throw new RuleViolation('business-rule', `Only a draft is signed; this note is ${resource.status}`);
    }
    const now = new Date().toISOString();
    const note = await writeNext(tx, stored, {
      ...resource,
      status: 'final',
      date: now,
      attester: [{ mode: 'legal', time: now, party: { reference: doctor } }],
    } satisfies Composition);
    const provenance = await writeNew<Provenance>(tx, {
      resourceType: 'Provenance',
      // The patient as a target too, so the Provenance is in their compartment (compartmentdefinition-patient).
      target: [{ reference: `Composition/${id}/_history/${note.meta?.versionId}` }, ...(resource.subject ? [resource.subject] : [])],
      recorded: now,
      activity: { coding: [LEGAL_AUTHENTICATION] },
      agent: [{ who: { reference: doctor } }],
      signature: [{ type: [AUTHOR_SIGNATURE], when: now, who: { reference: doctor } }],
    });
    return { note, provenance };
  });
}
